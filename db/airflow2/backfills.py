"""SQL for Airflow 2 backfills (`job` rows of type BackfillJob): lookups, listings, counts.

The same statements as db.backfills for Airflow 3, over `job`: one row per BackfillJob with
its DAG (from its runs), the logical-date range of its runs, the paired `cli_dag_backfill`
audit row (the only record of the requested range and flags) and its liveness.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    case,
    exists,
    false,
    func,
    or_,
    select,
)

from backfill_gateway.db.airflow2.ownership import (
    CUTOFF,
    is_backfill_job,
    is_dead,
    is_finished,
    job_dag_id,
    run_owned_by,
)
from backfill_gateway.db.airflow2.tables import dag_run, job, log
from backfill_gateway.db.backfill_status import BackfillStatus
from backfill_gateway.db.backfills import BackfillFilter
from backfill_gateway.db.dag_scope import (
    DagScope,
    ScopeShape,
    dag_scope_condition,
    scope_parameters,
    shape_of,
)
from backfill_gateway.db.dags import possible_dag_ids
from backfill_gateway.db.keyset import (
    PageStatement,
    Seek,
    SeekShape,
    listing_page,
    parameterized_seek,
    seek_parameters,
    seek_shape,
)

STATEMENT_CACHE_SIZE = 256
CLI_EVENT = "cli_dag_backfill"
ORDER_COLUMNS = {"id": (job.c.id,), "created_at": (job.c.start_date, job.c.id)}


def _run_date(aggregate) -> ColumnElement:
    """min/max logical date of the job's runs (created or taken over)."""
    run = dag_run.alias("range_run")
    return (
        select(aggregate(run.c.execution_date))
        .where(run_owned_by(run, job.c.id))
        .correlate(job)
        .scalar_subquery()
    )


def _cli_row(column: str) -> ColumnElement:
    """The latest `cli_dag_backfill` audit row of the job's DAG written up to its start.

    Airflow writes it about 0.3 s before the job row, with no job id; the caller accepts it
    only within a few seconds of `job.start_date` (resolvers.airflow2.command).
    """
    return (
        select(log.c[column])
        .where(
            log.c.event == CLI_EVENT,
            log.c.dag_id == job_dag_id(),
            log.c.dttm <= job.c.start_date,
        )
        .order_by(log.c.dttm.desc(), log.c.id.desc())
        .limit(1)
        .correlate(job)
        .scalar_subquery()
    )


def columns() -> list:
    return [
        job.c.id,
        job_dag_id().label("dag_id"),
        job.c.state,
        job.c.start_date,
        job.c.end_date,
        job.c.latest_heartbeat,
        job.c.hostname,
        job.c.unixname,
        _run_date(func.min).label("first_logical_date"),
        _run_date(func.max).label("last_logical_date"),
        _cli_row("extra").label("cli_extra"),
        _cli_row("dttm").label("cli_dttm"),
        case((is_dead(), 1), else_=0).label("is_dead"),
    ]


def status_condition(status: str, cutoff=CUTOFF) -> ColumnElement[bool]:
    """SQL twin of resolvers.airflow2.records' status: PAUSED and INITIALIZING never occur."""
    if status == BackfillStatus.COMPLETED:
        return is_finished()
    if status == BackfillStatus.ORPHANED:
        return is_dead(cutoff)
    if status == BackfillStatus.RUNNING:
        return and_(or_(job.c.state.is_(None), ~is_finished()), ~is_dead(cutoff))
    return false()


def has_dag(dag_ids: Sequence[str]) -> ColumnElement[bool]:
    run = dag_run.alias("dag_filter_run")
    return exists().where(run.c.dag_id.in_(dag_ids), run_owned_by(run, job.c.id))


def filter_conditions(spec: BackfillFilter, cutoff=CUTOFF) -> list[ColumnElement]:
    conditions: list[ColumnElement] = [is_backfill_job()]
    if spec.dag_ids is not None:
        conditions.append(has_dag(possible_dag_ids(spec.dag_ids)))
    if spec.backfill_ids is not None:
        conditions.append(job.c.id.in_(spec.backfill_ids))
    if spec.statuses is not None:
        conditions.append(or_(false(), *(status_condition(s, cutoff) for s in spec.statuses)))
    if spec.created_after is not None:
        conditions.append(job.c.start_date >= spec.created_after)
    if spec.created_before is not None:
        conditions.append(job.c.start_date < spec.created_before)
    return conditions


def in_scope(scope: ScopeShape | None) -> list[ColumnElement[bool]]:
    """BackfillJobs of DAGs in the caller's scope: the DAG of their runs (a job without runs
    has no known DAG, so a scoped caller never sees it)."""
    return dag_scope_condition(scope, job_dag_id())


def backfills_by_id(
    ids: Sequence[int], cutoff: datetime, scope: DagScope | None = None
) -> tuple[Select, dict]:
    """BackfillJobs by id; those of DAGs outside `scope` are absent, like unknown ids."""
    parameters = {"ids": list(ids), "orphan_cutoff": cutoff, **scope_parameters(scope)}
    return _backfills_by_id(shape_of(scope)), parameters


@lru_cache(maxsize=16)
def _backfills_by_id(scope: ScopeShape | None) -> Select:
    return select(*columns()).where(
        is_backfill_job(),
        job.c.id.in_(bindparam("ids", expanding=True, type_=Integer())),
        *in_scope(scope),
    )


def backfill_page(
    spec: BackfillFilter,
    order_field: str,
    seek: Seek,
    cutoff: datetime,
    airflow=None,
    scope: DagScope | None = None,
) -> PageStatement:
    """`airflow` (the AirflowSchema) is taken as db.backfills.backfill_page takes it: every
    2.x schema the gateway accepts has the columns read here (db.airflow_schema)."""
    statement = _backfill_page(spec, order_field, seek_shape(seek), shape_of(scope))
    parameters = {"orphan_cutoff": cutoff, **seek_parameters(seek), **scope_parameters(scope)}
    has_cursor = seek.after is not None or seek.before is not None
    return PageStatement(statement, parameters, has_boundary_flags=has_cursor)


@lru_cache(maxsize=STATEMENT_CACHE_SIZE)
def _backfill_page(
    spec: BackfillFilter, order_field: str, shape: SeekShape, scope: ScopeShape | None
) -> Select:
    """One page of BackfillJobs with exact boundary flags, as db.backfills._backfill_page."""
    order_columns = ORDER_COLUMNS[order_field]
    seek = parameterized_seek(shape, order_columns)
    conditions = [*filter_conditions(spec), *in_scope(scope)]
    return listing_page(columns(), conditions, order_columns, seek)


def count_backfills(
    spec: BackfillFilter, cutoff: datetime, scope: DagScope | None = None
) -> tuple[Select, dict]:
    parameters = {"orphan_cutoff": cutoff, **scope_parameters(scope)}
    return _count_backfills(spec, shape_of(scope)), parameters


@lru_cache(maxsize=STATEMENT_CACHE_SIZE)
def _count_backfills(spec: BackfillFilter, scope: ScopeShape | None) -> Select:
    return (
        select(func.count().label("backfill_count"))
        .select_from(job)
        .where(*filter_conditions(spec), *in_scope(scope))
    )
