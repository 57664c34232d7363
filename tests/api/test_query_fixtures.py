"""Standard queries with their committed results and the exact SQL they send.

Each folder in tests/fixtures/queries/ holds `query.graphql`, optional
`variables.json`, the expected `result.json` (the same on every database) and
`<backend>.sql`, the statements the request sent, in order. A change of
response shape or of SQL shows up as a diff in review. To accept intended
changes, run the tests with UPDATE_FIXTURES=1 and read the diff.

Those files are Airflow 3.3's. On an older schema the SQL must be the same statements with
each column that version lacks selected as a NULL under the same label (`on_version`), and
the result is `result.json` unless a `result-<version>.json` (or one of a version between it
and 3.3) says otherwise: rows that version cannot hold (no partitioned DAG before 3.2) and
fields it does not record (null).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from tests.support.airflow_versions import ABSENT, LATEST, VERSIONS

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


def on_version(sql: str, version: str) -> str:
    """3.3's SQL as it reads on `version`: every column the version lacks is `NULL AS <label>`."""
    for table, columns in ABSENT[version].items():
        for column in columns:
            sql = re.sub(
                rf"(?<![\w.]){table}\.{column}(?: AS (\w+))?(?!\w)",
                lambda match, column=column: f"NULL AS {match.group(1) or column}",
                sql,
            )
    return sql


_PARAMETER = r"(?:\?|%s|\$\d+(?:::\w+)?)"


def any_id_lists(sql: str) -> str:
    """Expanded `IN (?, ?, …)` lists as one placeholder, parameters unnumbered: a version
    without the partitioned DAG has fewer backfills on a page, so fewer ids to bind."""
    sql = re.sub(rf"IN \({_PARAMETER}(?:, {_PARAMETER})*\)", "IN (…)", sql)
    return re.sub(r"\$\d+", "$n", sql)


def result_path(folder: Path, version: str) -> Path:
    """The result a version should give: its own file, else the next newer version's."""
    newer = VERSIONS[VERSIONS.index(version) :]
    for candidate in newer[:-1]:
        path = folder / f"result-{candidate}.json"
        if path.exists():
            return path
    return folder / "result.json"


@pytest.mark.parametrize("case", CASES)
async def test_standard_query(gateway, demo_database, case):
    folder = FIXTURES / case
    variables_path = folder / "variables.json"
    variables = json.loads(variables_path.read_text()) if variables_path.exists() else None
    response = await gateway.graphql((folder / "query.graphql").read_text(), variables)
    assert response.status_code == 200
    result = json.dumps(response.body, indent=2, ensure_ascii=False) + "\n"
    sql = render_statements(response.statements)
    version = demo_database.version
    if version == LATEST:
        check_or_update(folder / "result.json", result)
        check_or_update(folder / f"{demo_database.backend}.sql", sql)
        return
    # Same statements as on 3.3, a missing column read as NULL: same shape, same count.
    expected_sql = on_version((folder / f"{demo_database.backend}.sql").read_text(), version)
    assert sql.count("-- statement") == expected_sql.count("-- statement")
    assert any_id_lists(sql) == any_id_lists(expected_sql)
    own = folder / f"result-{version}.json"
    inherited = result_path(folder, VERSIONS[VERSIONS.index(version) + 1])
    if UPDATE:
        if result != inherited.read_text():
            own.write_text(result)
        else:
            own.unlink(missing_ok=True)
        return
    assert result == result_path(folder, version).read_text(), (
        f"{case} on Airflow {version} differs from {result_path(folder, version).name}"
    )
