"""Which runs belong to a BackfillJob, and when a BackfillJob is dead.

A 2.x BackfillJob's runs are the runs it created (`dag_run.creating_job_id = job.id`) and
the runs it took over, whose only trace is its task instances' `queued_by_job_id`. Nothing
of this is indexed by Airflow, so these conditions scan; they are only ever asked for the
jobs of one page (or the candidates of one finalize call).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    exists,
    func,
    or_,
    select,
    union,
)
from sqlalchemy.sql import FromClause

from backfill_gateway.db.airflow2.tables import BACKFILL_JOB, dag_run, job, task_instance

RUNNING = "running"
FINISHED_JOB_STATES = ("success", "failed")
UNFINISHED_RUN_STATES_EXCLUDED = ("success", "failed")
# `now - grace period`, a parameter of every statement that decides liveness.
CUTOFF = bindparam("orphan_cutoff", type_=job.c.latest_heartbeat.type)


def is_backfill_job(table: FromClause = job) -> ColumnElement[bool]:
    return table.c.job_type == BACKFILL_JOB


def _task_of(run: FromClause, ti: FromClause) -> ColumnElement[bool]:
    return and_(ti.c.dag_id == run.c.dag_id, ti.c.run_id == run.c.run_id)


def run_owned_by(run: FromClause, job_id: ColumnElement) -> ColumnElement[bool]:
    """The run was created by the job, or the job queued one of its task instances."""
    ti = task_instance.alias("owner_ti")
    # Correlated explicitly: SQLAlchemy auto-correlates only to the enclosing SELECT, and
    # these conditions sit inside other subqueries (and in UPDATEs).
    outer = [run] + ([job_id.table] if isinstance(getattr(job_id, "table", None), FromClause) else [])
    return or_(
        run.c.creating_job_id == job_id,
        exists().where(_task_of(run, ti), ti.c.queued_by_job_id == job_id).correlate(*outer),
    )


def owned_runs(job_ids: ColumnElement | Select, name: str = "owned") -> FromClause:
    """(job_id, dag_run_id) pairs, one per run of each job in `job_ids` (an IN operand)."""
    created = select(
        dag_run.c.creating_job_id.label("job_id"), dag_run.c.id.label("dag_run_id")
    ).where(dag_run.c.creating_job_id.in_(job_ids))
    ti = task_instance
    taken = (
        select(ti.c.queued_by_job_id.label("job_id"), dag_run.c.id.label("dag_run_id"))
        .select_from(ti.join(dag_run, _task_of(dag_run, ti)))
        .where(ti.c.queued_by_job_id.in_(job_ids))
    )
    return union(created, taken).subquery(name)


def job_dag_id(table: FromClause = job) -> ColumnElement:
    """`job.dag_id` is NULL for BackfillJob rows: the DAG of its runs (one DAG per job)."""
    run = dag_run.alias("dag_of_run")
    ti = task_instance.alias("dag_of_ti")
    return func.coalesce(
        select(func.min(run.c.dag_id))
        .where(run.c.creating_job_id == table.c.id)
        .correlate(table)
        .scalar_subquery(),
        select(func.min(ti.c.dag_id))
        .where(ti.c.queued_by_job_id == table.c.id)
        .correlate(table)
        .scalar_subquery(),
    )


def heartbeat_recent(cutoff=CUTOFF, table: FromClause = job) -> ColumnElement[bool]:
    """The job heartbeat (or started, before its first heartbeat) after the cutoff."""
    return func.coalesce(table.c.latest_heartbeat, table.c.start_date) > cutoff


def has_live_task(cutoff=CUTOFF, table: FromClause = job) -> ColumnElement[bool]:
    """A task instance of its runs is running and its LocalTaskJob heartbeat after the cutoff."""
    run = dag_run.alias("live_run")
    ti = task_instance.alias("live_ti")
    supervisor = job.alias("local_task_job")
    return exists(
        select(1)
        .select_from(
            run.join(ti, _task_of(run, ti)).join(supervisor, supervisor.c.id == ti.c.job_id)
        )
        .where(
            run_owned_by(run, table.c.id),
            ti.c.state == RUNNING,
            supervisor.c.latest_heartbeat > cutoff,
        )
    )


def has_recent_change(cutoff=CUTOFF, table: FromClause = job) -> ColumnElement[bool]:
    """A run of the job, or a task instance of those runs, was queued, started, ended or
    updated after the cutoff: something still works on them."""
    run = dag_run.alias("changed_run")
    ti = task_instance.alias("changed_ti")
    run_changed = or_(*(run.c[name] > cutoff for name in ("queued_at", "start_date", "end_date", "updated_at")))
    ti_changed = or_(
        *(ti.c[name] > cutoff for name in ("queued_dttm", "start_date", "end_date", "updated_at"))
    )
    return or_(
        exists().where(run_owned_by(run, table.c.id), run_changed),
        exists(
            select(1)
            .select_from(run.join(ti, _task_of(run, ti)))
            .where(run_owned_by(run, table.c.id), ti_changed)
        ),
    )


def is_finished(table: FromClause = job) -> ColumnElement[bool]:
    return table.c.state.in_(FINISHED_JOB_STATES)


def is_dead(cutoff=CUTOFF, table: FromClause = job) -> ColumnElement[bool]:
    """Every condition of a dead BackfillJob that rows can show (the row lock aside).

    Airflow's own rule (heartbeat within 10.5 s) is not enough: a live backfill waiting for
    `max_active_runs` room does not heartbeat, so its runs' tasks must be quiet too.
    """
    return and_(
        table.c.state == RUNNING,
        ~heartbeat_recent(cutoff, table),
        ~has_live_task(cutoff, table),
        ~has_recent_change(cutoff, table),
    )


def claimed_by_other_running_job(run: FromClause, job_id: ColumnElement) -> ColumnElement[bool]:
    """Another BackfillJob, still `running`, created the run or queued one of its tasks."""
    other = job.alias("other_job")
    return (
        exists()
        .where(
            other.c.id != job_id,
            is_backfill_job(other),
            other.c.state == RUNNING,
            run_owned_by(run, other.c.id),
        )
        .correlate(run)
    )


def cutoff_parameters(cutoff: datetime) -> dict:
    return {"orphan_cutoff": cutoff}
