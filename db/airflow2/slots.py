"""SQL for the slots of Airflow 2 backfills: each BackfillJob's runs, by logical date.

Airflow 2 records no slots: a BackfillJob's slots are its runs (created or taken over,
db.airflow2.ownership), numbered 1.. per job in logical-date order (`execution_date`, then
id). Every statement serves all the jobs of a response at once, as db.slots does; the
slot's id is its run's id.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from sqlalchemy import (
    CTE,
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    case,
    false,
    func,
    select,
)
from sqlalchemy.sql import FromClause

from backfill_gateway.db.airflow2.ownership import is_backfill_job, owned_runs, run_owned_by
from backfill_gateway.db.airflow2.runs import dag_run_columns
from backfill_gateway.db.airflow2.tables import dag_run, job
from backfill_gateway.db.dag_scope import (
    DagScope,
    ScopeShape,
    dag_scope_condition,
    scope_parameters,
    shape_of,
)
from backfill_gateway.db.keyset import (
    AFTER_WINDOW_FLAG,
    BEFORE_WINDOW_FLAG,
    PageStatement,
    Seek,
    SeekShape,
    at_or_after_before_key,
    at_or_before_after_key,
    fetch_order,
    parameterized_seek,
    range_conditions,
    seek_parameters,
    seek_shape,
)
from backfill_gateway.db.slots import RUN_PREFIX, RUN_STATES, SlotFilter

STATEMENT_CACHE_SIZE = 256
BACKFILL_IDS = bindparam("backfill_ids", expanding=True, type_=Integer())


def _numbered(job_ids, scope: ScopeShape | None, name: str = "numbered") -> CTE:
    """Every run of the jobs, with its position in its job (before any filter); only runs of
    DAGs in the caller's scope (a job's runs are all of its one DAG)."""
    owned = owned_runs(job_ids)
    run = dag_run
    ordinal = func.row_number().over(
        partition_by=owned.c.job_id, order_by=(run.c.execution_date, run.c.id)
    )
    return (
        select(
            owned.c.job_id.label("backfill_id"),
            run.c.id.label("id"),
            ordinal.label("sort_ordinal"),
            run.c.state.label("state"),
        )
        .select_from(owned.join(run, run.c.id == owned.c.dag_run_id))
        .where(*dag_scope_condition(scope, run.c.dag_id))
        .cte(name)
    )


def _filter_conditions(numbered: FromClause, spec: SlotFilter) -> list[ColumnElement]:
    conditions = []
    if spec.states is not None:
        conditions.append(numbered.c.state.in_(spec.states))
    if spec.is_skipped is True:  # Airflow 2 never skips a date: it runs or reuses one
        conditions.append(false())
    return conditions


def _order(numbered: FromClause) -> tuple[ColumnElement, ...]:
    return (numbered.c.sort_ordinal, numbered.c.id)


def slot_pages(
    backfill_ids: Sequence[int], spec: SlotFilter, seek: Seek, scope: DagScope | None = None
) -> PageStatement:
    statement = _slot_pages(spec, seek_shape(seek), shape_of(scope))
    parameters = {
        "backfill_ids": list(backfill_ids), **seek_parameters(seek), **scope_parameters(scope),
    }
    has_cursor = seek.after is not None or seek.before is not None
    return PageStatement(statement, parameters, has_boundary_flags=has_cursor)


@lru_cache(maxsize=STATEMENT_CACHE_SIZE)
def _slot_pages(spec: SlotFilter, shape: SeekShape, scope: ScopeShape | None) -> Select:
    """A page of slots per job, each with its run; with a cursor, one row per job at least,
    carrying EXISTS-like flags for slots beyond the cursors (as db.slots does)."""
    numbered = _numbered(BACKFILL_IDS, scope)
    ordered = _order(numbered)
    seek = parameterized_seek(shape, ordered)
    conditions = _filter_conditions(numbered, spec)
    position = func.row_number().over(
        partition_by=numbered.c.backfill_id, order_by=fetch_order(ordered, seek)
    )
    page = (
        select(
            numbered.c.id, numbered.c.backfill_id, numbered.c.sort_ordinal,
            position.label("position"),
        )  # fmt: skip
        .where(*conditions, *range_conditions(ordered, seek))
        .subquery("page")
    )
    run = dag_run
    selected = [
        page.c.id, page.c.backfill_id, page.c.id.label("dag_run_id"), page.c.sort_ordinal,
        *dag_run_columns(run, RUN_PREFIX),
    ]  # fmt: skip
    if seek.after is None and seek.before is None:
        return (
            select(*selected)
            .select_from(page.join(run, run.c.id == page.c.id))
            .where(page.c.position <= seek.limit)
            .order_by(page.c.backfill_id, page.c.position)
        )

    def flag(boundary, cursor, label: str):
        if cursor is None:
            return func.max(0).label(label)
        return func.max(case((boundary(ordered, seek), 1), else_=0)).label(label)

    flags = (
        select(
            numbered.c.backfill_id,
            flag(at_or_before_after_key, seek.after, BEFORE_WINDOW_FLAG),
            flag(at_or_after_before_key, seek.before, AFTER_WINDOW_FLAG),
        )
        .where(*conditions)
        .group_by(numbered.c.backfill_id)
        .subquery("flags")
    )
    parents = select(job.c.id.label("parent_id")).where(job.c.id.in_(BACKFILL_IDS)).subquery("parents")
    return (
        select(
            parents.c.parent_id,
            func.coalesce(flags.c[BEFORE_WINDOW_FLAG], 0).label(BEFORE_WINDOW_FLAG),
            func.coalesce(flags.c[AFTER_WINDOW_FLAG], 0).label(AFTER_WINDOW_FLAG),
            *selected,
        )
        .select_from(
            parents.outerjoin(flags, flags.c.backfill_id == parents.c.parent_id)
            .outerjoin(
                page,
                and_(page.c.backfill_id == parents.c.parent_id, page.c.position <= seek.limit),
            )
            .outerjoin(run, run.c.id == page.c.id)
        )
        .order_by(parents.c.parent_id, page.c.position)
    )


def slot_counts(
    backfill_ids: Sequence[int], spec: SlotFilter, scope: DagScope | None = None
) -> tuple[Select, dict]:
    parameters = {"backfill_ids": list(backfill_ids), **scope_parameters(scope)}
    return _slot_counts(spec, shape_of(scope)), parameters


@lru_cache(maxsize=STATEMENT_CACHE_SIZE)
def _slot_counts(spec: SlotFilter, scope: ScopeShape | None) -> Select:
    owned = owned_runs(BACKFILL_IDS)
    run = dag_run
    conditions = dag_scope_condition(scope, run.c.dag_id)
    if spec.states is not None:
        conditions.append(run.c.state.in_(spec.states))
    if spec.is_skipped is True:
        conditions.append(false())
    return (
        select(owned.c.job_id.label("backfill_id"), func.count().label("slot_count"))
        .select_from(owned.join(run, run.c.id == owned.c.dag_run_id))
        .where(*conditions)
        .group_by(owned.c.job_id)
    )


def _count_where(condition: ColumnElement[bool], label: str):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0).label(label)


def slot_progress(
    backfill_ids: Sequence[int], scope: DagScope | None = None
) -> tuple[Select, dict]:
    parameters = {"backfill_ids": list(backfill_ids), **scope_parameters(scope)}
    return _slot_progress(shape_of(scope)), parameters


@lru_cache(maxsize=16)
def _slot_progress(scope: ScopeShape | None) -> Select:
    owned = owned_runs(BACKFILL_IDS)
    run = dag_run
    return (
        select(
            owned.c.job_id.label("backfill_id"),
            func.count().label("slot_count"),
            _count_where(false(), "skipped_count"),
            _count_where(false(), "run_missing_count"),
            *(_count_where(run.c.state == state, f"{state}_count") for state in RUN_STATES),
        )
        .select_from(owned.join(run, run.c.id == owned.c.dag_run_id))
        .where(*dag_scope_condition(scope, run.c.dag_id))
        .group_by(owned.c.job_id)
    )


def slots_by_id(ids: Sequence[int], scope: DagScope | None = None) -> tuple[Select, dict]:
    """Slots by id (= run id), each seen from the newest BackfillJob the run belongs to;
    slots of DAGs outside `scope` are absent, like unknown ids."""
    return _slots_by_id(shape_of(scope)), {"ids": list(ids), **scope_parameters(scope)}


@lru_cache(maxsize=16)
def _slots_by_id(scope: ScopeShape | None) -> Select:
    ids = bindparam("ids", expanding=True, type_=Integer())
    run, owner = dag_run.alias("wanted_run"), job.alias("owner_job")
    owners = (
        select(run.c.id.label("run_id"), func.max(owner.c.id).label("job_id"))
        .select_from(run.join(owner, run_owned_by(run, owner.c.id)))
        .where(run.c.id.in_(ids), is_backfill_job(owner), *dag_scope_condition(scope, run.c.dag_id))
        .group_by(run.c.id)
        .subquery("owners")
    )
    numbered = _numbered(select(owners.c.job_id), scope, "numbered_by_id")
    target = dag_run
    return (
        select(
            numbered.c.id, numbered.c.backfill_id, numbered.c.id.label("dag_run_id"),
            numbered.c.sort_ordinal, *dag_run_columns(target, RUN_PREFIX),
        )  # fmt: skip
        .select_from(
            numbered.join(
                owners,
                and_(owners.c.run_id == numbered.c.id, owners.c.job_id == numbered.c.backfill_id),
            ).join(target, target.c.id == numbered.c.id)
        )
    )


