"""db.backfills and db.backfill_status: the status predicate agrees with the Python rule,
and listings carry boundary flags only when paged from a cursor."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from backfill_gateway.db.backfill_status import BackfillStatus, backfill_status, status_condition
from backfill_gateway.db.backfills import BackfillFilter, backfill_page, backfills_by_id
from backfill_gateway.db.keyset import AFTER_WINDOW_FLAG, BEFORE_WINDOW_FLAG, Seek
from backfill_gateway.db.tables import backfill
from tests.conftest import FIXED_NOW


@pytest.mark.parametrize("grace", [timedelta(seconds=1), timedelta(minutes=10), timedelta(days=5)])
async def test_status_predicate_agrees_with_the_python_rule(
    demo_engine, demo_database, airflow, grace
):
    cutoff = FIXED_NOW - grace
    ids = [row["id"] for row in demo_database.dataset.backfills]
    async with demo_engine.connect() as connection:
        statement, parameters = backfills_by_id(ids, airflow)
        rows = (await connection.execute(statement, parameters)).mappings().all()
        python = {
            row["id"]: backfill_status(
                completed_at=row["completed_at"], is_paused=bool(row["is_paused"]),
                has_slots=bool(row["has_slots"]), has_active_runs=bool(row["has_active_runs"]),
                created_at=row["created_at"], orphan_cutoff=cutoff,
            )
            for row in rows
        }  # fmt: skip
        for status in BackfillStatus:
            found = await connection.execute(
                select(backfill.c.id).where(status_condition(status)), {"orphan_cutoff": cutoff}
            )
            expected = {id_ for id_, s in python.items() if s is status}
            assert set(found.scalars()) == expected, status
    assert len(python) == len(ids)
    assert {BackfillStatus.RUNNING, BackfillStatus.COMPLETED} <= set(python.values())


async def test_page_statement_says_whether_rows_carry_boundary_flags(
    demo_engine, demo_database, airflow
):
    ids = sorted(row["id"] for row in demo_database.dataset.backfills)
    plain = backfill_page(BackfillFilter(), "id", Seek(limit=3), FIXED_NOW, airflow)
    assert not plain.has_boundary_flags
    assert BEFORE_WINDOW_FLAG not in plain.statement.selected_columns
    paged = backfill_page(
        BackfillFilter(), "id", Seek(limit=3, after=(ids[-1],)), FIXED_NOW, airflow
    )
    assert paged.has_boundary_flags
    async with demo_engine.connect() as connection:
        rows = (await connection.execute(paged.statement, paged.parameters)).mappings().all()
    # Past the last backfill: an empty page, still one row with the flags.
    flags = [(r["id"], bool(r[BEFORE_WINDOW_FLAG]), bool(r[AFTER_WINDOW_FLAG])) for r in rows]
    assert flags == [(None, True, False)]
