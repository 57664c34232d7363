"""Change detection for subscriptions: one statement finds what changed, for every subscriber.

Airflow writes no notifications, so each worker polls. The statement returns a few
"signature" rows per watched backfill (timestamps, counts); the poller compares them with
the previous poll's and re-reads only the backfills whose rows differ (or appeared).

Airflow 3, three parts (UNION ALL), each through Airflow's own indexes:
  * every backfill still active, or completed / updated within the watch window, with its
    slots' runs (backfill_dag_run by `backfill_id`, dag_run by primary key): the row's
    `updated_at`/`completed_at`/`is_paused`, slot and run counts, run state counts, the
    newest run `updated_at`/`end_date`, and whether it is slotless and older than the
    orphan cutoff (time alone turns it ORPHANED);
  * the runs in flight (`state` queued/running: Airflow's partial indexes on dag_run) of
    any backfill: count and newest `updated_at`, so a re-run of a completed backfill's
    slot is seen too;
  * the task instances of those in-flight runs (Airflow's `ti_dag_run` (dag_id, run_id)
    index, named to MySQL/MariaDB, which pick a worse one on fresh statistics): count, state counts and newest `updated_at` -- only where the database has
    Airflow's `task_instance` table.
Airflow 2 (a backfill is a BackfillJob): the job rows (state, end date, heartbeat, and
whether it is dead by the finalizer's rule), the in-flight runs it created, and the task
instances it queued in in-flight runs.

The statement reads identifiers and timestamps of every DAG, never a row's content: it is
the worker's, not a caller's. What a subscriber then receives is re-read with its own DAG
scope (resolvers.live).
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from sqlalchemy import (
    Integer,
    Select,
    and_,
    bindparam,
    case,
    column,
    func,
    literal,
    null,
    or_,
    select,
    table,
    type_coerce,
    union_all,
)

from backfill_gateway.db.airflow2 import tables as airflow2
from backfill_gateway.db.airflow2.ownership import CUTOFF as AIRFLOW2_CUTOFF
from backfill_gateway.db.airflow2.ownership import is_dead
from backfill_gateway.db.airflow_schema import AirflowSchema
from backfill_gateway.db.backfill_status import ORPHAN_CUTOFF
from backfill_gateway.db.constant_lists import one_of
from backfill_gateway.db.tables import backfill, backfill_dag_run, dag_run
from backfill_gateway.db.task_states import by_run_index
from backfill_gateway.db.types import UtcDateTime

IN_FLIGHT_STATES = ("queued", "running")
COUNTED_STATES = ("queued", "running", "success", "failed")
SINCE = bindparam("since", type_=UtcDateTime())

# Airflow 3's task_instance, only the columns read here (present on every 3.x): a SQL
# reference, not a table definition (db/tables.py holds those).
_task_instance3 = table(
    "task_instance",
    column("dag_id"), column("run_id"), column("state"), column("updated_at", UtcDateTime()),
)  # fmt: skip


def _no_time():
    return type_coerce(null(), UtcDateTime())


def _no_states() -> list:
    return [literal(0, Integer()) for _ in COUNTED_STATES]


def _state_counts(state_column) -> list:
    return [func.count(case((state_column == state, 1))) for state in COUNTED_STATES]


def _row(backfill_id, part: int, times: tuple, counts: tuple, states: list) -> list:
    """A signature row: backfill id, part, four times, four counts, four state counts."""
    times = (*times, *(_no_time() for _ in range(4 - len(times))))
    counts = (*counts, *(literal(0, Integer()) for _ in range(4 - len(counts))))
    return [
        backfill_id.label("backfill_id"), literal(part, Integer()).label("part"),
        *(value.label(f"t{i}") for i, value in enumerate(times)),
        *(value.label(f"n{i}") for i, value in enumerate(counts)),
        *(value.label(f"s_{state}") for state, value in zip(COUNTED_STATES, states, strict=True)),
    ]  # fmt: skip


def change_signatures(
    airflow: AirflowSchema, since: datetime, orphan_cutoff: datetime
) -> tuple[Select, dict]:
    """The signature rows of every watched backfill; `since` opens the watch window.

    `orphan_cutoff` (now - grace period) puts in each signature whether the backfill is
    dead by age alone: a backfill turns ORPHANED when time passes, with no row written."""
    if airflow.major == 2:
        statement = _airflow2_signatures()
    else:
        statement = _airflow3_signatures("task_instance" in airflow.columns)
    return statement, {"since": since, "orphan_cutoff": orphan_cutoff}


@lru_cache(maxsize=4)
def _airflow3_signatures(with_task_instances: bool) -> Select:
    watched = or_(
        backfill.c.completed_at.is_(None),
        backfill.c.completed_at >= SINCE,
        backfill.c.updated_at >= SINCE,
    )
    # Slotless and unfinished, created before the cutoff: INITIALIZING turns ORPHANED.
    old_enough_to_be_orphaned = and_(
        backfill_dag_run.c.id.is_(None), backfill.c.completed_at.is_(None),
        backfill.c.created_at <= ORPHAN_CUTOFF,
    )  # fmt: skip
    slots = (
        select(*_row(
            backfill.c.id, 0,
            (func.max(backfill.c.updated_at), func.max(backfill.c.completed_at),
             func.max(dag_run.c.updated_at), func.max(dag_run.c.end_date)),
            (func.count(backfill_dag_run.c.id), func.count(dag_run.c.id),
             func.count(case((backfill.c.is_paused == True, 1))),  # noqa: E712
             func.count(case((old_enough_to_be_orphaned, 1)))),
            _state_counts(dag_run.c.state),
        ))  # fmt: skip
        .select_from(
            backfill.outerjoin(backfill_dag_run, backfill_dag_run.c.backfill_id == backfill.c.id)
            .outerjoin(dag_run, dag_run.c.id == backfill_dag_run.c.dag_run_id)
        )
        .where(watched)
        .group_by(backfill.c.id)
    )
    in_flight_run = (one_of(dag_run.c.state, IN_FLIGHT_STATES), dag_run.c.backfill_id.is_not(None))
    in_flight = (
        select(*_row(
            dag_run.c.backfill_id, 1, (func.max(dag_run.c.updated_at),), (func.count(),),
            _state_counts(dag_run.c.state),
        ))  # fmt: skip
        .where(*in_flight_run)
        .group_by(dag_run.c.backfill_id)
    )
    parts = [slots, in_flight]
    if with_task_instances:
        ti = _task_instance3
        parts.append(by_run_index(
            select(*_row(
                dag_run.c.backfill_id, 2, (func.max(ti.c.updated_at),),
                (func.count(), func.count(case((ti.c.state.is_(None), 1)))),
                _state_counts(ti.c.state),
            ))  # fmt: skip
            .select_from(dag_run.join(
                ti, (ti.c.dag_id == dag_run.c.dag_id) & (ti.c.run_id == dag_run.c.run_id)
            ))  # fmt: skip
            .where(*in_flight_run)
            .group_by(dag_run.c.backfill_id),
            ti,
        ))
    return union_all(*parts)


@lru_cache(maxsize=1)
def _airflow2_signatures() -> Select:
    job, run, ti = airflow2.job, airflow2.dag_run, airflow2.task_instance
    is_backfill = job.c.job_type == airflow2.BACKFILL_JOB
    watched = or_(
        job.c.state == "running", job.c.end_date >= SINCE, job.c.latest_heartbeat >= SINCE
    )
    running_jobs = select(job.c.id).where(is_backfill, job.c.state == "running")
    # A running job whose heartbeat, tasks and runs went quiet turns ORPHANED by age.
    jobs = select(*_row(
        job.c.id, 0, (job.c.latest_heartbeat, job.c.end_date, job.c.start_date),
        (case((is_dead(AIRFLOW2_CUTOFF), 1), else_=0),),
        [case((job.c.state == state, 1), else_=0) for state in COUNTED_STATES],
    )).where(is_backfill, watched)  # fmt: skip
    created = (
        select(*_row(
            run.c.creating_job_id, 1, (func.max(run.c.updated_at), func.max(run.c.end_date)),
            (func.count(),), _state_counts(run.c.state),
        ))  # fmt: skip
        .where(one_of(run.c.state, IN_FLIGHT_STATES), run.c.creating_job_id.in_(running_jobs))
        .group_by(run.c.creating_job_id)
    )
    queued = by_run_index(
        select(*_row(
            ti.c.queued_by_job_id, 2, (func.max(ti.c.updated_at), func.max(run.c.updated_at)),
            (func.count(), func.count(case((ti.c.state.is_(None), 1)))),
            _state_counts(ti.c.state),
        ))  # fmt: skip
        .select_from(run.join(ti, (ti.c.dag_id == run.c.dag_id) & (ti.c.run_id == run.c.run_id)))
        .where(one_of(run.c.state, IN_FLIGHT_STATES), ti.c.queued_by_job_id.in_(running_jobs))
        .group_by(ti.c.queued_by_job_id),
        ti,
    )
    return union_all(jobs, created, queued)


def signatures_by_backfill(rows) -> dict[int, tuple]:
    """Rows of `change_signatures` -> {backfill id: its rows as one comparable tuple}."""
    found: dict[int, list[tuple]] = {}
    for row in rows:
        backfill_id, part, *values = tuple(row)
        if backfill_id is None:
            continue
        found.setdefault(int(backfill_id), []).append((int(part), *map(_comparable, values)))
    return {key: tuple(sorted(parts)) for key, parts in found.items()}


def _comparable(value) -> str:
    # Drivers differ (Decimal counts on MySQL, naive or aware datetimes): compare as text.
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat()
    return value if isinstance(value, str) else str(int(value))
