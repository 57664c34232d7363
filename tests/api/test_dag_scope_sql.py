"""DAG scopes where the SQL translation could go wrong, and the finalize mutation under a scope.

Each test inserts DAG ids that differ only where LIKE or GLOB could be unfaithful to
fnmatch (`_` and `%` are LIKE wildcards, SQLite's LIKE ignores case), on every database.
"""

from __future__ import annotations

import hashlib

import pytest

from backfill_gateway.app import create_app
from backfill_gateway.db.dag_scope import DagScope
from backfill_gateway.db.engine import create_engine
from tests.conftest import FIXED_NOW, gateway_settings
from tests.support.finalize import (
    audit_log,
    backfill_row,
    backfills_by_id,
    finalize,
    insert_rows,
    outcomes,
)
from tests.support.gateway import GatewayClient

DAG_IDS = [
    "sales_daily", "salesXdaily", "Sales_daily", "sales_daily.v2", "sales-daily", "sales",
    "a.b", "aXb", "team1_x", "team1-x", "ab", "abc", "abcd",
]  # fmt: skip
LISTING = "{ backfills(first: 100) { totalCount nodes { backfillId dagId } } }"


def sha(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@pytest.fixture
async def engine(empty_database):
    engine = create_engine(empty_database.url, pool_size=2, max_overflow=2)
    await insert_rows(
        engine, backfills=[backfill_row(i + 1, dag_id=d) for i, d in enumerate(DAG_IDS)]
    )
    yield engine
    await engine.dispose()


@pytest.fixture
async def client_for(empty_database, engine):
    clients = []

    def make(globs: str, role: str = "reader") -> GatewayClient:
        tokens = f"scoped:{role}:{sha('t0k3n')}:dags={globs}"
        settings = gateway_settings(empty_database.url, tokens=tokens)
        clients.append(client := GatewayClient(create_app(settings, clock=lambda: FIXED_NOW)))
        return client

    yield make
    for client in clients:
        await client.close()


TOKEN = {"Authorization": "Bearer t0k3n"}


@pytest.mark.parametrize(
    "globs",
    [
        "sales_daily",  # exact: `_` is no wildcard
        "sales_*",  # `_` literal before `*`: not salesXdaily
        "Sales*",  # case-sensitive: not sales_daily (SQLite's LIKE would say yes)
        "sales?daily",  # `?` is one character: _, X and - all match
        "a.b",  # `.` literal
        "a?b|team1_?",
        "ab?|*cd",
        "*",
        "sales_daily.*|sales",
    ],
)
async def test_patterns_match_what_fnmatch_matches_on_every_database(client_for, globs):
    expected = sorted(d for d in DAG_IDS if DagScope.from_globs(globs.split("|")).allows(d))
    data = (await client_for(globs).graphql(LISTING, headers=TOKEN)).ok()["backfills"]
    assert sorted(node["dagId"] for node in data["nodes"]) == expected
    assert data["totalCount"] == len(expected)


async def test_a_scoped_admin_finalizes_only_within_its_dags(client_for, engine):
    client = client_for("sales_*|a?b", role="admin")
    ids = {d: i + 1 for i, d in enumerate(DAG_IDS)}
    in_scope = sorted(ids[d] for d in ("sales_daily", "sales_daily.v2", "a.b", "aXb"))
    # Named ids outside the scope are NOT_FOUND, exactly like unknown ids; nothing is read.
    response = await finalize(
        client, TOKEN, backfillIds=[ids["salesXdaily"], ids["sales_daily"], 999], dryRun=True
    )
    assert outcomes(response) == {
        ids["salesXdaily"]: "NOT_FOUND", ids["sales_daily"]: "WOULD_FINALIZE", 999: "NOT_FOUND",
    }  # fmt: skip
    results = response.ok()["finalizeOrphanedBackfills"]["results"]
    assert [r["backfill"] for r in results if r["outcome"] == "NOT_FOUND"] == [None, None]
    # A dagIds entry outside the scope considers nothing.
    response = await finalize(client, TOKEN, dagIds=["salesXdaily", "abc"], dryRun=False)
    assert outcomes(response) == {}
    # No dagIds: every DAG in the scope, and only those.
    before = await backfills_by_id(engine)
    response = await finalize(client, TOKEN, dryRun=False)
    assert outcomes(response) == dict.fromkeys(in_scope, "FINALIZED")
    after = await backfills_by_id(engine)
    changed = sorted(i for i in after if after[i] != before[i])
    assert changed == in_scope
    assert sorted(row["extra"]["backfill_id"] for row in await audit_log(engine)) == in_scope
    assert {row["owner"] for row in await audit_log(engine)} == {"scoped"}


async def test_a_scoped_reader_may_still_not_finalize(client_for):
    response = await finalize(client_for("sales_*"), TOKEN, dryRun=True)
    assert response.error_codes == ["FORBIDDEN"]


@pytest.mark.parametrize(
    "globs, complaint",
    [
        ("", "none empty"),
        ("sales_*|", "none empty"),
        ("[ab]*", "character classes"),
        ("sales[!x]", "character classes"),
        ("sales daily", "not a DAG id pattern"),
        ("sales%", "not a DAG id pattern"),
    ],
)
async def test_a_malformed_scope_stops_start_up(empty_database, globs, complaint):
    tokens = f"scoped:reader:{sha('x')}:dags={globs}"
    with pytest.raises(ValueError, match=complaint):
        create_app(gateway_settings(empty_database.url, tokens=tokens))


async def test_a_fourth_part_that_is_not_a_scope_stops_start_up(empty_database):
    with pytest.raises(ValueError, match="fourth part must be `dags="):
        create_app(gateway_settings(empty_database.url, tokens=f"a:reader:{sha('x')}:dag=a"))
