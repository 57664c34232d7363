"""Standard queries with their committed results and the exact SQL they send.

Each folder in tests/fixtures/queries/ holds `query.graphql`, optional
`variables.json`, the expected `result.json` (the same on every database) and
`<backend>.sql`, the statements the request sent, in order. A change of
response shape or of SQL shows up as a diff in review. To accept intended
changes, run the tests with UPDATE_FIXTURES=1 and read the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "queries"
UPDATE = os.environ.get("UPDATE_FIXTURES") == "1"
CASES = sorted(path.name for path in FIXTURES.iterdir() if (path / "query.graphql").exists())


def render_statements(statements: list[str]) -> str:
    return "".join(f"-- statement {i}\n{s.strip()};\n\n" for i, s in enumerate(statements, 1))


def check_or_update(path: Path, actual: str) -> None:
    if UPDATE or not path.exists():
        path.write_text(actual)
        if not UPDATE:
            pytest.fail(f"{path.name} did not exist; written, review and commit it")
        return
    assert actual == path.read_text(), f"{path} differs (UPDATE_FIXTURES=1 to accept)"


@pytest.mark.parametrize("case", CASES)
async def test_standard_query(gateway, demo_database, case):
    folder = FIXTURES / case
    variables_path = folder / "variables.json"
    variables = json.loads(variables_path.read_text()) if variables_path.exists() else None
    response = await gateway.graphql((folder / "query.graphql").read_text(), variables)
    assert response.status_code == 200
    check_or_update(folder / "result.json", json.dumps(response.body, indent=2, ensure_ascii=False) + "\n")
    check_or_update(folder / f"{demo_database.backend}.sql", render_statements(response.statements))
