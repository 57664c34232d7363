"""Bulk rows for tests that need many backfills (statement counts, pagination walks)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support.airflow_versions import only_columns, tables_of

STATES = ("queued", "running", "success", "failed")


async def load_many_backfills(
    engine: AsyncEngine, now: datetime, *, backfills: int, slots_each: int, skip_every: int = 5
) -> None:
    """`backfills` backfills of one DAG each, with `slots_each` daily slots; every
    `skip_every`-th slot is skipped ('already exists'), the others own a run."""
    backfill_rows, run_rows, slot_rows = [], [], []
    run_id = slot_id = 0
    start = now - timedelta(days=3 * 365)
    for b in range(1, backfills + 1):
        dag_id = f"bulk_dag_{b:04d}"
        backfill_rows.append(dict(
            id=b, dag_id=dag_id, from_date=start, to_date=start + timedelta(days=slots_each),
            dag_run_conf={"batch": b}, is_paused=False, reprocess_behavior="none",
            max_active_runs=4, created_at=now - timedelta(hours=b), completed_at=None,
            updated_at=now - timedelta(hours=b), triggering_user_name="bulk",
        ))  # fmt: skip
        for ordinal in range(1, slots_each + 1):
            logical_date = start + timedelta(days=ordinal)
            slot_id += 1
            skipped = ordinal % skip_every == 0
            if not skipped:
                run_id += 1
                run_rows.append(dict(
                    id=run_id, dag_id=dag_id, run_id=f"backfill__{logical_date.isoformat()}",
                    state=STATES[ordinal % 4], run_type="backfill", triggered_by="BACKFILL",
                    logical_date=logical_date, run_after=logical_date, queued_at=now,
                    conf={}, backfill_id=b, clear_number=0, span_status="not_started",
                ))  # fmt: skip
            slot_rows.append(dict(
                id=slot_id, backfill_id=b, dag_run_id=None if skipped else run_id,
                exception_reason="already exists" if skipped else None,
                logical_date=logical_date, partition_key=None, sort_ordinal=ordinal,
            ))  # fmt: skip
    tables = (await tables_of(engine)).tables
    async with engine.begin() as connection:
        for name, rows in (("backfill", backfill_rows), ("dag_run", run_rows), ("backfill_dag_run", slot_rows)):
            rows = only_columns(tables[name], rows)
            for chunk in range(0, len(rows), 2000):
                await connection.execute(insert(tables[name]), rows[chunk : chunk + 2000])
