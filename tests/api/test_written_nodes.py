"""Backfill nodes written by PostgreSQL (GATEWAY_NODES_WRITTEN_BY_DATABASE, db/backfill_nodes.py).

On every Airflow 3 schema, with odd values (escapes, unicode, microseconds with and
without trailing zeros, year 999, NULLs, JSON null, a conf stored with spaces), every
response is byte for byte the standard executor's (the client's twin compares each
one), and the statements show the nodes were written by the database. A row it cannot
write (an enum value without a name) is read again the usual way, which reports it.
"""

from __future__ import annotations

import asyncio
import hashlib
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, text

from tests.conftest import FIXED_NOW, _enter_database, gateway_client
from tests.support.airflow2 import create_airflow2_schema
from tests.support.airflow2_scenario import write_scenario
from tests.support.airflow_versions import (
    VERSIONS,
    create_versioned_schema,
    only_columns,
    tables_of,
)

ODD_DAG_ID = 'q"uote\\back\tslash\n\x01\x1f\x7f é€😀\u2028 end'
BOGUS_DAG = "bogus_behaviour"
# Every backfill but the bogus one.
WRITABLE = {"backfillIds": [*range(1, 13), 20]}


def _backfills(now: datetime) -> list[dict]:
    rows = []
    for n in range(1, 13):
        rows.append(dict(
            id=n, dag_id=f"dag_{n % 3}", from_date=datetime(2026, 1, n, tzinfo=UTC),
            to_date=datetime(2026, 1, n, 12, 30, 0, n * 100_000 % 1_000_000, tzinfo=UTC),
            dag_run_conf={"n": n, "nested": {"list": [1, 2.5, None, "x"]}}, is_paused=n % 2 == 0,
            reprocess_behavior=("none", "failed", "completed")[n % 3], max_active_runs=n,
            created_at=now - timedelta(hours=n, microseconds=n), completed_at=None if n % 4 else now,
            updated_at=now - timedelta(minutes=n), triggering_user_name=None if n % 5 == 0 else f"user_{n}",
        ))  # fmt: skip
    rows.append(dict(
        id=20, dag_id=ODD_DAG_ID, from_date=datetime(999, 5, 6, 7, 8, 9, 10, tzinfo=UTC),
        to_date=datetime(2026, 2, 1, 0, 0, 0, 1, tzinfo=UTC), dag_run_conf={},
        is_paused=None, reprocess_behavior="failed", max_active_runs=2147483647,
        created_at=datetime(2026, 3, 1, 0, 0, 0, 500_000, tzinfo=UTC), completed_at=None,
        updated_at=datetime(2026, 3, 1, tzinfo=UTC), triggering_user_name='"\\ \x00'.replace("\x00", "nul"),
    ))  # fmt: skip
    rows.append(dict(
        id=30, dag_id=BOGUS_DAG, from_date=now, to_date=now, dag_run_conf={}, is_paused=False,
        reprocess_behavior="bogus", max_active_runs=1, created_at=now, completed_at=None,
        updated_at=now, triggering_user_name=None,
    ))  # fmt: skip
    return rows


@pytest.fixture(scope="module", params=VERSIONS, ids=lambda version: f"postgresql-{version}")
async def written(request, tmp_path_factory):
    async with AsyncExitStack() as stack:
        database = await _enter_database("postgresql", tmp_path_factory, stack)
        engine = await create_versioned_schema(database.url, request.param)
        table = (await tables_of(engine)).tables["backfill"]
        async with engine.begin() as connection:
            await connection.execute(insert(table), only_columns(table, _backfills(FIXED_NOW)))
            # As a client stored them: spaces, JSON null, a duplicate key, big and float numbers.
            for backfill_id, conf in (
                (1, '{"b": 1,  "a": [1, 2.50, {"c": null}], "u": "é\\u00e9\\n"}'),
                (2, "null"), (3, '{"k": 1, "k": 2}'), (4, '[12345678901234567, 1e3, -0.0]'),
            ):  # fmt: skip
                await connection.execute(
                    text("UPDATE backfill SET dag_run_conf = CAST(:conf AS json) WHERE id = :id"),
                    {"conf": conf, "id": backfill_id},
                )
        await engine.dispose()
        client = gateway_client(database.url, nodes_written_by_database="always")
        yield client
        await client.close()


def written_by_database(statements: list[str]) -> bool:
    return any("node_piece_0" in statement for statement in statements)


EVERY_FIELD = """
query Every($first: Int, $after: String, $filter: BackfillFilter) {
  backfills(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    nodes {
      __typename backfillId again: backfillId dagId fromDate toDate dagRunConf isPaused
      reprocessBehavior maxActiveRuns createdAt completedAt updatedAt triggeringUserName
      conf: dagRunConf
    }
  }
}
"""


async def test_every_column_field_is_written_as_the_usual_path_writes_it(written):
    response = await written.graphql(EVERY_FIELD, {"first": 20, "filter": WRITABLE})
    assert written_by_database(response.statements), response.statements
    nodes = response.ok()["backfills"]["nodes"]
    odd = next(node for node in nodes if node["backfillId"] == 20)
    assert odd["dagId"] == ODD_DAG_ID and odd["fromDate"] == "0999-05-06T07:08:09.000010+00:00"
    assert odd["isPaused"] is False and odd["createdAt"] == "2026-03-01T00:00:00.500000+00:00"
    assert odd["updatedAt"] == "2026-03-01T00:00:00+00:00" and odd["completedAt"] is None
    confs = {node["backfillId"]: node["dagRunConf"] for node in nodes}
    assert confs[2] is None and confs[3] == {"k": 2} and list(confs[1]) == ["b", "a", "u"]


@pytest.mark.parametrize(
    ("query", "written_here"),
    [
        # Column fields only: written by the database, in one read.
        ("{ backfills(first: 5) { nodes { backfillId } } }", True),
        (
            "{ backfills(last: 3, orderBy: {field: CREATED_AT, direction: DESC}) "
            "{ pageInfo { hasPreviousPage startCursor } nodes { createdAt dagId } } }",
            True,
        ),
        ("{ backfills(first: 4, filter: {dagIds: [\"dag_1\"]}) { totalCount nodes { dagId toDate } } }", True),
        ("{ backfills(first: 3, filter: {statuses: [RUNNING, COMPLETED]}) { nodes { backfillId completedAt } } }", True),
        ("{ a: backfills(first: 2) { nodes { backfillId } } b: backfills(first: 3) { nodes { dagId } } }", True),
        ("{ backfills(first: 3, filter: {dagIds: [\"no_such_dag\"]}) { nodes { dagId } } }", True),
        (  # statuses that depend on the orphan cutoff, a parameter of the statement
            "{ backfills(first: 20, filter: {statuses: [ORPHANED, INITIALIZING], "
            "dagIds: [\"dag_0\", \"dag_1\", \"dag_2\"]}) { totalCount nodes { backfillId } } }",
            True,
        ),
        # Anything else of the nodes, or `edges`: records, as usual.
        ("{ backfills(first: 5) { edges { node { backfillId } } nodes { dagId } } }", False),
        ("{ backfills(first: 5) { nodes { backfillId status } } }", False),
        ("{ backfills(first: 5) { nodes { id } } }", False),
        ("{ backfills(first: 5) { nodes { ...F } } } fragment F on Backfill { backfillId }", False),
        ("{ backfills(first: 5) { a: nodes { backfillId } b: nodes { dagId } } }", False),
        ("{ backfills(first: 5) { nodes { backfillId dagRuns(first: 1) { totalCount } } } }", False),
    ],
)
async def test_which_listings_are_written_by_the_database(written, query, written_here):
    response = await written.graphql(query)
    response.ok()
    assert written_by_database(response.statements) is written_here
    assert len(response.statements) == len(set(response.statements))  # no second read


async def test_pages_by_cursor_are_the_usual_pages(written):
    seen, after = [], None
    while True:
        response = await written.graphql(EVERY_FIELD, {"first": 4, "after": after, "filter": WRITABLE})
        assert written_by_database(response.statements)
        listing = response.ok()["backfills"]
        seen += [node["backfillId"] for node in listing["nodes"]]
        if not listing["pageInfo"]["hasNextPage"]:
            break
        after = listing["pageInfo"]["endCursor"]
    assert seen == sorted(seen) and len(seen) == 13


async def test_a_row_it_cannot_write_is_read_the_usual_way(written):
    # "bogus" has no enum name: the standard executor's error, after a second read.
    query = f'{{ backfills(first: 5, filter: {{dagIds: ["{BOGUS_DAG}"]}}) {{ nodes {{ backfillId reprocessBehavior }} }} }}'
    response = await written.graphql(query)
    assert response.error_codes and response.data is not None
    assert written_by_database(response.statements) and len(response.statements) == 2


async def test_auto_writes_nodes_only_beside_other_requests(written, request):
    url = written.app.state.settings.resolved_database_url
    auto = gateway_client(url, nodes_written_by_database="auto")
    never = gateway_client(url, nodes_written_by_database="never")
    try:
        query = (
            "{ backfills(first: 20, filter: {dagIds: [\"dag_1\", \"dag_2\"]}) "
            "{ nodes { backfillId dagId createdAt dagRunConf } } }"
        )
        alone = await auto.graphql(query)
        assert not written_by_database(alone.statements)
        together = await asyncio.gather(*(auto.graphql(query) for _ in range(8)))
        assert any(written_by_database(r.statements) for r in together)
        assert not all(written_by_database(r.statements) for r in together)  # the first was alone
        assert all(r.body == alone.body for r in together)
        again = await auto.graphql(query)  # alone again: nothing was left counted in flight
        assert not written_by_database(again.statements)
        together = await asyncio.gather(*(never.graphql(query) for _ in range(8)))
        assert not any(written_by_database(r.statements) for r in together)
    finally:
        await auto.close()
        await never.close()


@pytest.mark.parametrize("backend", ["sqlite", "mysql"])
async def test_other_databases_read_records_whatever_the_setting(backend, tmp_path_factory):
    async with AsyncExitStack() as stack:
        database = await _enter_database(backend, tmp_path_factory, stack)
        engine = await create_versioned_schema(database.url, VERSIONS[-1])
        table = (await tables_of(engine)).tables["backfill"]
        async with engine.begin() as connection:
            await connection.execute(insert(table), only_columns(table, _backfills(FIXED_NOW)[:3]))
        await engine.dispose()
        client = gateway_client(database.url, nodes_written_by_database="always")
        try:
            response = await client.graphql("{ backfills(first: 5) { nodes { backfillId dagId } } }")
            assert [node["backfillId"] for node in response.ok()["backfills"]["nodes"]] == [1, 2, 3]
            assert not written_by_database(response.statements)
        finally:
            await client.close()


async def test_a_scoped_caller_gets_only_its_dags_written(written):
    token = "written-nodes-dag-1-token"
    tokens = f"dag1:reader:{hashlib.sha256(token.encode()).hexdigest()}:dags=dag_1"
    url = written.app.state.settings.resolved_database_url
    scoped = gateway_client(
        url, nodes_written_by_database="always", tokens=tokens, allow_anonymous_reads=False
    )
    try:
        response = await scoped.graphql(
            "{ backfills(first: 50) { totalCount nodes { backfillId dagId } } }",
            headers={"Authorization": f"Bearer {token}"},
        )
        listing = response.ok()["backfills"]
        assert written_by_database(response.statements)
        assert {node["dagId"] for node in listing["nodes"]} == {"dag_1"}
        assert len(listing["nodes"]) == listing["totalCount"] == 4
    finally:
        await scoped.close()


async def test_airflow2_reads_records_whatever_the_setting(tmp_path_factory):
    # Airflow 2's backfills are BackfillJob rows, not the `backfill` table.
    async with AsyncExitStack() as stack:
        database = await _enter_database("postgresql", tmp_path_factory, stack)
        engine = await create_airflow2_schema(database.url)
        await write_scenario(engine, str(tmp_path_factory.mktemp("af2") / "marker"))
        await engine.dispose()
        client = gateway_client(database.url, nodes_written_by_database="always")
        try:
            response = await client.graphql("{ backfills(first: 5) { nodes { backfillId dagId } } }")
            assert response.ok()["backfills"]["nodes"]
            assert not written_by_database(response.statements)
        finally:
            await client.close()
