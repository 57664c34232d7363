"""Bulk rows for tests that need many backfills (statement counts, pagination walks)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support.airflow_versions import only_columns, tables_of

STATES = ("queued", "running", "success", "failed")
# Task instances per run state: (task_id, map_index, state); `fan_out` is mapped.
TASKS = {
    "queued": (("extract", -1, None), ("fan_out", -1, None), ("load", -1, None)),
    "running": (("extract", -1, "success"), ("fan_out", 0, "running"), ("fan_out", 1, "up_for_retry")),
    "success": (("extract", -1, "success"), ("fan_out", 0, "success"), ("fan_out", 1, "skipped")),
    "failed": (("extract", -1, "success"), ("fan_out", 0, "failed"), ("fan_out", 1, "upstream_failed")),
}  # fmt: skip


def task_instance_rows(dag_id: str, run_id: str, state: str) -> list[dict]:
    return [
        dict(id=uuid.uuid4(), task_id=task_id, dag_id=dag_id, run_id=run_id, map_index=map_index,
             state=ti_state, try_number=1, max_tries=0, pool="default_pool", pool_slots=1,
             span_status="not_started")
        for task_id, map_index, ti_state in TASKS[state]
    ]  # fmt: skip


async def load_many_backfills(
    engine: AsyncEngine, now: datetime, *, backfills: int, slots_each: int, skip_every: int = 5
) -> None:
    """`backfills` backfills of one DAG each, with `slots_each` daily slots; every
    `skip_every`-th slot is skipped ('already exists': a scheduled run of that date
    succeeded before), the others own a run. Every run has task instances."""
    backfill_rows, run_rows, slot_rows, ti_rows = [], [], [], []
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
            run_id += 1
            kind = "scheduled" if skipped else "backfill"
            state = "success" if skipped else STATES[ordinal % 4]
            run_rows.append(dict(
                id=run_id, dag_id=dag_id, run_id=f"{kind}__{logical_date.isoformat()}",
                state=state, run_type=kind, triggered_by="TIMETABLE" if skipped else "BACKFILL",
                logical_date=logical_date, run_after=logical_date, queued_at=now,
                start_date=now if state != "queued" else None,
                conf={}, backfill_id=None if skipped else b, clear_number=0,
                span_status="not_started",
            ))  # fmt: skip
            ti_rows += task_instance_rows(dag_id, run_rows[-1]["run_id"], state)
            slot_rows.append(dict(
                id=slot_id, backfill_id=b, dag_run_id=None if skipped else run_id,
                exception_reason="already exists" if skipped else None,
                logical_date=logical_date, partition_key=None, sort_ordinal=ordinal,
            ))  # fmt: skip
    tables = (await tables_of(engine)).tables
    async with engine.begin() as connection:
        for name, rows in (("backfill", backfill_rows), ("dag_run", run_rows),
                           ("backfill_dag_run", slot_rows), ("task_instance", ti_rows)):
            rows = only_columns(tables[name], rows)
            for chunk in range(0, len(rows), 2000):
                await connection.execute(insert(tables[name]), rows[chunk : chunk + 2000])
