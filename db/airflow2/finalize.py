"""SQL for finalizing dead Airflow 2 BackfillJobs, in the order of db.finalize:

1. `candidate_ids`: running BackfillJobs (of the DAGs asked for), in id order;
2. `lock_candidates`: `SELECT … FOR UPDATE SKIP LOCKED` on those `job` rows still running
   (a heartbeat being written, or another finalizer, holds the row: skipped, not awaited);
3. `recheck`: a fresh statement with every liveness flag as last committed;
4. `mark_job_failed`: the UPDATE of the job row, repeating every condition of a dead job;
5. `fail_tasks` / `skip_tasks` / `fail_runs`: what Airflow's "mark dag run failed" writes, on
   the job's unfinished runs that no other running BackfillJob has taken over;
6. one `log` audit row per job (db.finalize.audit_rows).

The job row is updated first: the later updates of its runs and tasks set `updated_at` and
`end_date`, which would make the job look alive to its own re-check.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Select, Update, case, exists, or_, select, tuple_, update

from backfill_gateway.db.airflow2.ownership import (
    RUNNING,
    claimed_by_other_running_job,
    has_live_task,
    has_recent_change,
    heartbeat_recent,
    is_backfill_job,
    is_dead,
    job_dag_id,
    run_owned_by,
)
from backfill_gateway.db.airflow2.tables import dag_run, job, task_instance
from backfill_gateway.db.dag_scope import bound_dag_scope_condition
from backfill_gateway.db.finalize import Scopes

FINISHED_RUN_STATES = ("success", "failed")
# Airflow's "mark dag run failed": these task states fail, every other unfinished one is skipped.
FAILED_TASK_STATES = ("running", "deferred", "up_for_reschedule")
FINISHED_TASK_STATES = ("success", "failed", "skipped", "upstream_failed", "removed")
FINALIZED_JOB_STATE = "failed"


def _in_scopes(scopes: Scopes) -> list[ColumnElement[bool]]:
    """Jobs of DAGs in every one of the caller's scopes (values bound in), by their runs' DAG."""
    conditions: list[ColumnElement[bool]] = []
    for index, scope in enumerate(scopes):
        conditions += bound_dag_scope_condition(scope, job_dag_id(), f"dag_scope_{index}")
    return conditions


def candidate_ids(dag_ids: Sequence[str] | None, limit: int, scopes: Scopes = ()) -> Select:
    conditions = [is_backfill_job(), job.c.state == RUNNING, *_in_scopes(scopes)]
    if dag_ids is not None:
        run = dag_run.alias("candidate_run")
        conditions.append(exists().where(run.c.dag_id.in_(dag_ids), run_owned_by(run, job.c.id)))
    return select(job.c.id).where(*conditions).order_by(job.c.id).limit(limit)


def lock_candidates(job_ids: Sequence[int]) -> Select:
    """Only `job` is read: a locking read with subqueries would lock rows of other tables
    on MySQL/MariaDB."""
    return (
        select(job.c.id)
        .where(job.c.id.in_(job_ids), is_backfill_job(), job.c.state == RUNNING)
        .order_by(job.c.id)
        .with_for_update(skip_locked=True)
    )


def recheck(job_ids: Sequence[int], cutoff: datetime, scopes: Scopes = ()) -> Select:
    """Every candidate in the caller's scopes (others read as absent: NOT_FOUND)."""
    from backfill_gateway.db.airflow2.backfills import columns

    return (
        select(
            *columns(),
            heartbeat_recent(cutoff).label("heartbeat_recent"),
            has_live_task(cutoff).label("has_live_task"),
            has_recent_change(cutoff).label("has_recent_change"),
        )
        .where(job.c.id.in_(job_ids), is_backfill_job(), *_in_scopes(scopes))
        .order_by(job.c.id)
    )


def mark_job_failed(
    job_ids: Sequence[int], cutoff: datetime, now: datetime, scopes: Scopes = ()
) -> Update:
    return (
        update(job)
        .where(job.c.id.in_(job_ids), is_backfill_job(), is_dead(cutoff), *_in_scopes(scopes))
        .values(state=FINALIZED_JOB_STATE, end_date=now)
    )


def _runs_to_fail(run, job_id: int) -> list[ColumnElement[bool]]:
    """The job's unfinished runs, except those another running BackfillJob took over."""
    return [
        run_owned_by(run, job_id),
        or_(run.c.state.is_(None), run.c.state.not_in(FINISHED_RUN_STATES)),
        ~claimed_by_other_running_job(run, job_id),
    ]


def runs_to_fail(job_id: int) -> Select:
    """(id, dag_id, run_id) of the runs finalizing the job fails, read after its row is locked
    and marked: the UPDATEs below then name them by key, so that on MySQL/MariaDB they lock
    those rows only, not every row a scan passes."""
    run = dag_run
    return (
        select(run.c.id, run.c.dag_id, run.c.run_id)
        .where(*_runs_to_fail(run, job_id))
        .order_by(run.c.id)
    )


def finish_tasks(runs: Sequence[tuple[str, str]], now: datetime) -> Update:
    """Of the runs' unfinished tasks, running, deferred and up-for-reschedule ones fail, the
    others (NULL, scheduled, queued, up_for_retry, ...) are skipped."""
    ti = task_instance
    unfinished = or_(ti.c.state.is_(None), ti.c.state.not_in(FINISHED_TASK_STATES))
    return (
        update(ti)
        .where(tuple_(ti.c.dag_id, ti.c.run_id).in_(list(runs)), unfinished)
        .values(
            state=case((ti.c.state.in_(FAILED_TASK_STATES), "failed"), else_="skipped"),
            end_date=now,
            updated_at=now,
        )
    )


def fail_runs(run_ids: Sequence[int], job_id: int, now: datetime) -> Update:
    """The runs, by id, repeating the conditions: still unfinished, taken over by no other
    running BackfillJob."""
    return (
        update(dag_run)
        .where(dag_run.c.id.in_(list(run_ids)), *_runs_to_fail(dag_run, job_id))
        .values(state="failed", end_date=now, updated_at=now)
    )
