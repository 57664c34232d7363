"""What differs between Airflow schemas, over HTTP: nullable columns of older versions, the
columns of a newer Airflow than the gateway knows, and `Query.airflow`.

(The rest of tests/api runs on every 3.x schema already: fields a version does not record
come back null there, from the demo rows as that version writes them.)
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import insert, text

from backfill_gateway.db.engine import create_engine
from tests.conftest import FIXED_NOW, gateway_client
from tests.support.airflow_versions import VERSIONS, tables_of
from tests.support.finalize import (
    ADMIN,
    OLD,
    TOKENS,
    audit_log,
    backfill_row,
    finalize,
    insert_rows,
    outcomes,
    run_row,
    slot_row,
)

REVISIONS = {"3.0": "fe199e1abd77", "3.1": "509b94a1042d", "3.2": "1d6611b6ab7c", "3.3": "d2f4e1b3c5a7"}
BACKFILL_WITH_DAG_AND_SLOTS = """
query { backfills(first: 10) { nodes {
  backfillId dagId isPaused triggeringUserName status
  dag { dagId isPaused isStale bundleName }
  dagRuns(first: 10) { totalCount nodes { sortOrdinal logicalDate partitionKey
    dagRun { runId state logicalDate triggeringUserName partitionKey partitionDate createdAt } } }
} } }
"""


@pytest.fixture
async def engine(empty_database):
    engine = create_engine(empty_database.url, pool_size=2, max_overflow=2)
    yield engine
    await engine.dispose()


@pytest.fixture
async def client(empty_database):
    client = gateway_client(empty_database.url, tokens=TOKENS)
    yield client
    await client.close()


def dag_row(dag_id: str, **values) -> dict:
    return {
        "dag_id": dag_id, "is_paused": False, "is_stale": False, "bundle_name": "dags-folder",
        "max_active_tasks": 16, "max_consecutive_failed_dag_runs": 0,
        "has_task_concurrency_limits": False, "timetable_type": "cron",
        "partition_mapper_info": {}, **values,
    }  # fmt: skip


async def test_query_airflow_names_the_detected_schema(client, empty_database):
    response = await client.graphql("{ airflow { version schemaRevision } }")
    version = empty_database.version
    assert response.ok() == {"airflow": {"version": version, "schemaRevision": REVISIONS[version]}}


@pytest.mark.airflow_versions("3.0", "3.1")
async def test_null_dag_columns_of_older_versions_are_null_not_errors(engine, client, empty_database):
    """dag.is_paused / is_stale are nullable before 3.2, dag.bundle_name on 3.0."""
    dag = (await tables_of(engine)).tables["dag"]
    bundle = None if empty_database.version == "3.0" else "dags-folder"
    row = dag_row("dag_1", is_paused=None, is_stale=None, bundle_name=bundle)
    async with engine.begin() as connection:
        await connection.execute(insert(dag), [{k: v for k, v in row.items() if k in dag.c}])
    await insert_rows(engine, backfills=[backfill_row(1, dag_id="dag_1")])
    nodes = (await client.graphql(BACKFILL_WITH_DAG_AND_SLOTS)).ok()["backfills"]["nodes"]
    assert nodes[0]["dag"] == {"dagId": "dag_1", "isPaused": None, "isStale": None, "bundleName": bundle}


@pytest.mark.airflow_versions(*VERSIONS)
async def test_fields_a_version_does_not_record_are_null(engine, client, empty_database):
    await insert_rows(
        engine,
        backfills=[backfill_row(1)],
        runs=[{**run_row(1, 1, "running", "dag_1"), "triggering_user_name": "alice",
               "created_at": OLD, "partition_key": None, "partition_date": None}],
        slots=[slot_row(1, 1, 1)],
    )  # fmt: skip
    node = (await client.graphql(BACKFILL_WITH_DAG_AND_SLOTS)).ok()["backfills"]["nodes"][0]
    run = node["dagRuns"]["nodes"][0]["dagRun"]
    since_3_1 = empty_database.version != "3.0"
    since_3_2 = empty_database.version in ("3.2", "3.3")
    assert node["triggeringUserName"] == ("alice" if since_3_1 else None)
    assert run["triggeringUserName"] == ("alice" if since_3_1 else None)
    assert run["createdAt"] == (OLD.isoformat() if since_3_2 else None)
    assert run["logicalDate"] is not None and run["partitionKey"] is None


@pytest.mark.airflow_versions("3.3")
async def test_a_newer_airflow_with_unknown_columns_and_revision_is_served(
    engine, empty_database, client
):
    """Airflow 3.4 may add `backfill.selected_task_ids`: unknown columns are never read,
    an unknown revision reads as the newest known line with the columns present."""
    json_type = {"postgresql": "json", "mysql": "JSON", "sqlite": "JSON"}[empty_database.backend]
    async with engine.begin() as connection:
        await connection.execute(text(f"ALTER TABLE backfill ADD COLUMN selected_task_ids {json_type}"))
        await connection.execute(text("UPDATE alembic_version SET version_num = 'f00dfacecafe'"))
    await insert_rows(
        engine,
        backfills=[backfill_row(1), backfill_row(2)],
        runs=[run_row(1, 1, "success", "dag_1")],
        slots=[slot_row(1, 1, 1)],
    )
    async with engine.begin() as connection:
        await connection.execute(text("UPDATE backfill SET selected_task_ids = '[\"extract\"]'"))
    response = await client.graphql("{ airflow { version schemaRevision } }")
    assert response.ok() == {"airflow": {"version": "3.3", "schemaRevision": "f00dfacecafe"}}
    nodes = (await client.graphql(BACKFILL_WITH_DAG_AND_SLOTS)).ok()["backfills"]["nodes"]
    assert [node["backfillId"] for node in nodes] == [1, 2]
    assert nodes[0]["dagRuns"]["totalCount"] == 1
    assert outcomes(await finalize(client, headers=ADMIN, dryRun=False)) == {2: "FINALIZED"}
    assert [row["extra"]["backfill_id"] for row in await audit_log(engine)] == [2]


@pytest.mark.airflow_versions(*VERSIONS)
async def test_finalize_writes_the_same_audit_row_on_every_version(engine, client, empty_database):
    await insert_rows(engine, backfills=[backfill_row(1), backfill_row(2, created_at=FIXED_NOW - timedelta(seconds=5))])
    assert outcomes(await finalize(client, dryRun=False)) == {1: "FINALIZED", 2: "TOO_YOUNG"}
    (row,) = await audit_log(engine)
    assert (row["event"], row["dag_id"], row["owner"]) == ("finalize_orphaned_backfill", "dag_1", "ops-admin")
    assert row["extra"]["backfill_id"] == 1
