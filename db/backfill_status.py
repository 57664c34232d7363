"""A backfill's derived status: the one rule, in Python and as its SQL predicate.

The rule lives here, beside its SQL twin, because `db/` cannot import upward:
records compute a backfill's status with `backfill_status`, listings filter by
status with `status_condition`, and tests/db/test_backfills.py checks that the
two agree on the demo data.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    ColumnElement,
    and_,
    bindparam,
    false,
    literal_column,
    or_,
    select,
    true,
)

from backfill_gateway.db.constant_lists import one_of
from backfill_gateway.db.tables import backfill, backfill_dag_run, dag_run

# `now - grace period`: changes with every request, so it is a parameter.
ORPHAN_CUTOFF = bindparam("orphan_cutoff", type_=backfill.c.created_at.type)
ACTIVE_RUN_STATES = ("queued", "running")


class BackfillStatus(StrEnum):
    """Where a backfill stands (the schema's `BackfillStatus` exposes these values)."""

    RUNNING = "RUNNING"
    PAUSED = "PAUSED"
    COMPLETED = "COMPLETED"
    INITIALIZING = "INITIALIZING"
    ORPHANED = "ORPHANED"


def backfill_status(
    *, completed_at: datetime | None, is_paused: bool, has_slots: bool, has_active_runs: bool,
    created_at: datetime, orphan_cutoff: datetime,
) -> BackfillStatus:  # fmt: skip
    """The one definition of a backfill's status (`status_condition` is its SQL twin).

    A backfill without slots that still owns a queued or running run is at work,
    not orphaned: finalizeOrphanedBackfills would refuse it too.
    """
    if completed_at is not None:
        return BackfillStatus.COMPLETED
    if is_paused:
        return BackfillStatus.PAUSED
    if not has_slots and not has_active_runs:
        return (
            BackfillStatus.ORPHANED if created_at <= orphan_cutoff else BackfillStatus.INITIALIZING
        )
    return BackfillStatus.RUNNING


def _any_row(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    """Whether a row meets `conditions`, probed per backfill: `(SELECT 1 … LIMIT 1) IS NOT NULL`.

    Not `EXISTS`: PostgreSQL may run an EXISTS under OR/NOT as a *hashed* subplan that
    reads every matching row of the table once (all ~1M slots, or all queued and
    running runs) before the first backfill is checked; a scalar subquery is never
    hashed, so each backfill the cheaper conditions let through costs one index probe
    that stops at the first row.
    """
    probe = select(literal_column("1")).where(*conditions).limit(literal_column("1"))
    return probe.scalar_subquery().is_not(None)


def has_slots() -> ColumnElement[bool]:
    return _any_row(backfill_dag_run.c.backfill_id == backfill.c.id)


def has_active_runs() -> ColumnElement[bool]:
    """The backfill owns a queued or running dag run (`dag_run.backfill_id`).

    Its runs are always of its DAG: matching `dag_id` too lets the database use
    Airflow's (state, dag_id) indexes; nothing indexes `dag_run.backfill_id`.
    """
    return _any_row(
        dag_run.c.dag_id == backfill.c.dag_id,
        one_of(dag_run.c.state, ACTIVE_RUN_STATES),
        dag_run.c.backfill_id == backfill.c.id,
    )


def status_condition(status: str, orphan_cutoff=ORPHAN_CUTOFF) -> ColumnElement[bool]:
    """SQL twin of `backfill_status`: the backfills whose status is `status`."""
    active = backfill.c.completed_at.is_(None)
    not_paused = or_(backfill.c.is_paused.is_(None), backfill.c.is_paused == false())
    if status == BackfillStatus.COMPLETED:
        return backfill.c.completed_at.is_not(None)
    if status == BackfillStatus.PAUSED:
        return and_(active, backfill.c.is_paused == true())
    working = or_(has_slots(), has_active_runs())
    if status == BackfillStatus.RUNNING:
        return and_(active, not_paused, working)
    if status == BackfillStatus.INITIALIZING:
        return and_(active, not_paused, ~working, backfill.c.created_at > orphan_cutoff)
    if status == BackfillStatus.ORPHANED:
        return and_(active, not_paused, ~working, backfill.c.created_at <= orphan_cutoff)
    raise ValueError(f"unknown backfill status {status!r}")
