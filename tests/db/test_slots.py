"""db.slots: the page statement's shape per database, and its rows on every database."""

from __future__ import annotations

from sqlalchemy.dialects import mysql, postgresql, sqlite

from backfill_gateway.db.keyset import Seek
from backfill_gateway.db.slots import SlotFilter, slot_counts, slot_pages
from tests.support.airflow_versions import LATEST, airflow_schema_for

AIRFLOW = airflow_schema_for(LATEST)

DIALECTS = {
    "postgresql": postgresql.dialect(),
    "sqlite": sqlite.dialect(),
    "mysql": mysql.dialect(),
}


def sql(page, dialect: str) -> str:
    return str(page.statement.compile(dialect=DIALECTS[dialect]))


def test_lateral_on_postgresql_row_number_elsewhere():
    for cursor in (None, (1, 1)):
        seek = Seek(limit=5, after=cursor)
        lateral = slot_pages([1, 2], SlotFilter(), seek, None, "postgresql", airflow=AIRFLOW)
        assert "LATERAL" in sql(lateral, "postgresql") and "row_number" not in sql(
            lateral, "postgresql"
        )
        assert lateral.has_boundary_flags  # LATERAL pages always hang off a row per backfill
        for dialect in ("sqlite", "mysql"):
            window = slot_pages([1, 2], SlotFilter(), seek, None, dialect, airflow=AIRFLOW)
            assert "row_number() OVER" in sql(window, dialect) and "LATERAL" not in sql(
                window, dialect
            )
            assert window.has_boundary_flags == (cursor is not None)


def test_only_the_selected_run_attributes_are_fetched():
    page = slot_pages([1], SlotFilter(), Seek(limit=5), ("state",), "sqlite", airflow=AIRFLOW)
    labels = {
        column.name for column in page.statement.selected_columns if column.name.startswith("run_")
    }
    assert labels == {"run_dag_run_id", "run_state"}


async def test_pages_and_counts_agree_on_every_database(demo_engine, demo_database, airflow):
    dataset = demo_database.dataset
    slots = [s for s in dataset.backfill_dag_runs if s["exception_reason"] is None]
    backfill_ids = sorted({s["backfill_id"] for s in dataset.backfill_dag_runs})
    spec = SlotFilter(is_skipped=False)
    page = slot_pages(
        backfill_ids, spec, Seek(limit=5000), None, demo_engine.dialect.name, airflow=airflow
    )
    statement, parameters = slot_counts(backfill_ids, spec)
    async with demo_engine.connect() as connection:
        rows = (await connection.execute(page.statement, page.parameters)).mappings().all()
        counts = dict((await connection.execute(statement, parameters)).all())
    fetched = [row["id"] for row in rows if row["id"] is not None]
    assert sorted(fetched) == sorted(s["id"] for s in slots)
    for backfill_id in backfill_ids:
        assert counts.get(backfill_id, 0) == sum(s["backfill_id"] == backfill_id for s in slots)
