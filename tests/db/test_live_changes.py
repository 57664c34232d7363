"""db.live_changes: the change-detection statement, its plan hint on MySQL, its rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.dialects import mysql

from backfill_gateway.db.airflow2 import tables as airflow2_tables
from backfill_gateway.db.airflow_schema import schema_of_metadata
from backfill_gateway.db.live_changes import change_signatures, signatures_by_backfill
from backfill_gateway.db.session import ReadSession
from tests.support.airflow_versions import LATEST, airflow_schema_for


def test_task_instances_are_read_through_their_runs_index_on_mysql():
    # Without the hint MariaDB, on the statistics of freshly written tables, read every
    # task instance of a DAG per in-flight run (ti_dag_state by dag_id): one poll took 5 s
    # on the demo data, longer than the poll interval, and no event was ever sent.
    airflow2 = schema_of_metadata(airflow2_tables.metadata, "2.11")
    for airflow in (airflow_schema_for(LATEST), airflow2):
        statement, _ = change_signatures(airflow, datetime.now(UTC), datetime.now(UTC))
        sql = str(statement.compile(dialect=mysql.dialect()))
        assert "task_instance USE INDEX (ti_dag_run)" in sql, airflow.version


async def test_every_unfinished_backfill_has_a_signature(demo_engine, demo_database, airflow):
    statement, parameters = change_signatures(
        airflow, datetime.now(UTC) - timedelta(minutes=10), datetime.now(UTC)
    )
    session = ReadSession((demo_engine,))
    try:
        signatures = signatures_by_backfill(await session.all(statement, parameters))
    finally:
        await session.close()
    dataset = demo_database.dataset
    unfinished = {b["id"] for b in dataset.backfills if b["completed_at"] is None}
    assert unfinished and unfinished <= set(signatures)
