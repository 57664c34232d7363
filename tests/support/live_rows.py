"""Rows changed the way Airflow changes them, for the subscription tests."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update

from backfill_gateway.db.tables import backfill, backfill_dag_run, dag_run


async def finish_a_run(engine, backfill_id: int) -> int:
    """A running run of the backfill succeeds, as Airflow's scheduler records it (state, end
    date, updated_at); returns its id."""
    now = datetime.now(UTC)
    async with engine.begin() as connection:
        run_id = (await connection.execute(
            select(dag_run.c.id)
            .join(backfill_dag_run, backfill_dag_run.c.dag_run_id == dag_run.c.id)
            .where(backfill_dag_run.c.backfill_id == backfill_id, dag_run.c.state == "running")
            .order_by(dag_run.c.id).limit(1)
        )).scalar_one()  # fmt: skip
        await connection.execute(
            update(dag_run).where(dag_run.c.id == run_id)
            .values(state="success", end_date=now, updated_at=now)
        )  # fmt: skip
    return run_id


async def complete(engine, backfill_id: int) -> None:
    """The backfill completes (completed_at and updated_at, as Airflow writes them)."""
    now = datetime.now(UTC)
    async with engine.begin() as connection:
        await connection.execute(
            update(backfill).where(backfill.c.id == backfill_id)
            .values(completed_at=now, updated_at=now)
        )  # fmt: skip
