"""SQL for backfill slots (`backfill_dag_run`) and the dag runs they point at.

Every statement here serves many backfills at once: the DataLoaders call
them with all the backfill ids of a response. Each function returns a
statement and its parameters; the statement depends only on the request's
shape (filter, cursors present, columns) and is built once per shape.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    case,
    exists,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.sql import FromClause

from backfill_gateway.db.airflow_schema import AirflowSchema, columns_or_null
from backfill_gateway.db.backfills import columns_with_status
from backfill_gateway.db.constant_lists import one_of
from backfill_gateway.db.dag_runs import labeled_dag_run_columns
from backfill_gateway.db.dag_scope import (
    DagScope,
    ScopeShape,
    dag_scope_condition,
    scope_parameters,
    shape_of,
)
from backfill_gateway.db.keyset import (
    PageStatement,
    Seek,
    SeekShape,
    boundary_flags,
    fetch_order,
    parameterized_seek,
    range_conditions,
    seek_parameters,
    seek_shape,
)
from backfill_gateway.db.tables import backfill, backfill_dag_run, dag_run

STATEMENT_CACHE_SIZE = 256
RUN_PREFIX = "run_"
# The backfill's own columns in a page statement that also reads its backfills
# (`parent_id` is its id, the key every page's rows hang off).
PARENT_PREFIX = "parent_"
BACKFILL_IDS = bindparam("backfill_ids", expanding=True, type_=Integer())
RUN_STATES = ("queued", "running", "success", "failed")
SLOT_COLUMNS = (
    "id", "backfill_id", "dag_run_id", "exception_reason", "logical_date", "partition_key",
    "sort_ordinal",
)  # fmt: skip


# Built per request: not frozen (ARCHITECTURE.md), hashed by value as a cache key.
@dataclass(slots=True, unsafe_hash=True)
class SlotFilter:
    states: tuple[str, ...] | None = None
    is_skipped: bool | None = None

    @property
    def needs_run(self) -> bool:
        return self.states is not None


def _slot_source(slot: FromClause, run: FromClause, spec: SlotFilter) -> FromClause:
    # Filtering on run state needs the run; otherwise the slot table alone suffices.
    if spec.needs_run:
        return slot.outerjoin(run, run.c.id == slot.c.dag_run_id)
    return slot


def _filter_conditions(slot: FromClause, run: FromClause, spec: SlotFilter) -> list:
    conditions = []
    if spec.states is not None:
        conditions.append(one_of(run.c.state, spec.states))
    if spec.is_skipped is True:
        conditions.append(slot.c.exception_reason.is_not(None))
    elif spec.is_skipped is False:
        conditions.append(slot.c.exception_reason.is_(None))
    return conditions


def in_scope(backfill_id: ColumnElement, scope: ScopeShape | None) -> list[ColumnElement]:
    """Slots of backfills whose DAG is in scope (nothing to add for all DAGs)."""
    if scope is None:
        return []
    # An alias: `backfill` itself is correlated by the EXISTS flags of paged statements.
    scoped = backfill.alias("scope_backfill")
    return [
        exists().where(scoped.c.id == backfill_id, *dag_scope_condition(scope, scoped.c.dag_id))
    ]


def _order_columns(slot: FromClause) -> tuple[ColumnElement, ...]:
    return (slot.c.sort_ordinal, slot.c.id)


def slot_pages(
    backfill_ids: Sequence[int],
    spec: SlotFilter,
    seek: Seek,
    run_attributes: tuple[str, ...] | None = None,
    dialect: str = "sqlite",
    *,
    airflow: AirflowSchema,
    scope: DagScope | None = None,
    with_backfills: bool = False,
    with_status: bool = True,
    backfill_columns: bool = True,
) -> PageStatement:
    """Pages of slots for many backfills; on PostgreSQL (LATERAL), with a cursor or
    `with_backfills`, the rows hang off one `parent_id` row per backfill with its
    boundary flags. `with_backfills`: the first row of each backfill's page also carries
    the backfill's columns and status probes (as `backfills_by_id` reads them, prefixed
    PARENT_PREFIX; NULL on its other rows), so a backfill and its page cost one statement;
    without `with_status` the probes are NULL (as a listing without status reads them).
    Without `backfill_columns` there is a parent row for each backfill that exists and is
    in scope, and nothing of the backfill but its id."""
    lateral = dialect == "postgresql"
    build = _slot_pages_lateral if lateral else _slot_pages
    backfills_of = None
    if with_backfills:
        backfills_of = (airflow, with_status) if backfill_columns else PARENT_ROWS_ONLY
    statement = build(spec, seek_shape(seek), run_attributes, airflow, shape_of(scope), backfills_of)
    parameters = {
        "backfill_ids": list(backfill_ids), **seek_parameters(seek), **scope_parameters(scope),
    }
    has_cursor = seek.after is not None or seek.before is not None
    return PageStatement(
        statement, parameters, has_boundary_flags=lateral or has_cursor or with_backfills
    )


# With a page, the backfill's own columns: (its schema, whether the status probes are read);
# PARENT_ROWS_ONLY: a parent row for every backfill, with no column but its id.
BackfillsOf = tuple[AirflowSchema | None, bool]
PARENT_ROWS_ONLY: BackfillsOf = (None, False)


def _parents(
    spec: SlotFilter, seek: Seek, scope: ScopeShape | None, backfills_of: BackfillsOf | None
):
    """One row per backfill, with EXISTS flags for slots beyond the cursors (false without);
    with `backfills_of`, also every backfill column and the status probes (or NULLs)."""
    if backfills_of is None or backfills_of[0] is None:
        columns = [backfill.c.id.label(PARENT_PREFIX + "id")]
    else:
        columns = [
            column.label(PARENT_PREFIX + column.name)
            for column in columns_with_status(*backfills_of)
        ]
    return (
        select(*columns, *boundary_flags(seek, lambda condition: _beyond(spec, condition)))
        .where(backfill.c.id.in_(BACKFILL_IDS), *dag_scope_condition(scope, backfill.c.dag_id))
        .subquery("parents")
    )


@lru_cache(maxsize=STATEMENT_CACHE_SIZE)
def _slot_pages_lateral(
    spec: SlotFilter,
    shape: SeekShape,
    run_attributes: Collection[str] | None,
    airflow: AirflowSchema,
    scope: ScopeShape | None = None,
    backfills_of: BackfillsOf | None = None,
) -> Select:
    """PostgreSQL: each backfill's page is a LATERAL `ORDER BY … LIMIT`, then each of
    its slots looks its dag run up by primary key.

    The window form below makes PostgreSQL misjudge how many rows survive
    `position <= n` and hash-join all of `dag_run`; per-backfill LIMITs keep the
    join to the page's own rows. The rows have the same columns either way.
    """
    slot = backfill_dag_run
    filter_run = dag_run.alias("filter_run")
    ordered = _order_columns(slot)
    seek = parameterized_seek(shape, ordered)
    # Only backfills in scope get a page.
    parents = _parents(spec, seek, scope, backfills_of)
    page = (
        select(*columns_or_null(slot, airflow, SLOT_COLUMNS))
        .select_from(_slot_source(slot, filter_run, spec))
        .where(
            slot.c.backfill_id == parents.c.parent_id,
            *_filter_conditions(slot, filter_run, spec),
            *range_conditions(ordered, seek),
        )
        .order_by(*fetch_order(ordered, seek))
        .limit(seek.limit)
        .lateral("page")
    )
    run = dag_run
    page_order = fetch_order((page.c.sort_ordinal, page.c.id), seek)
    first_row = func.row_number().over(partition_by=parents.c.parent_id, order_by=page_order) == 1
    return (
        select(
            *_parent_columns(parents, first_row),
            *(page.c[name] for name in SLOT_COLUMNS),
            *labeled_dag_run_columns(airflow, run, RUN_PREFIX, run_attributes),
        )
        .select_from(parents.outerjoin(page, true()).outerjoin(run, run.c.id == page.c.dag_run_id))
        .order_by(parents.c.parent_id, *page_order)
    )


@lru_cache(maxsize=STATEMENT_CACHE_SIZE)
def _slot_pages(
    spec: SlotFilter,
    shape: SeekShape,
    run_attributes: Collection[str] | None,
    airflow: AirflowSchema,
    scope: ScopeShape | None = None,
    backfills_of: BackfillsOf | None = None,
) -> Select:
    """A page of slots for each backfill, each slot LEFT JOINed to its dag run.

    `row_number()` over each backfill's slots (in `sort_ordinal, id` order,
    restricted to the keyset range) pages every backfill in one statement. The
    LEFT OUTER JOIN keeps skipped slots (NULL dag_run_id) as rows with NULL run
    columns. With a cursor (or `with_backfills`), rows hang off one row per backfill
    carrying EXISTS flags for items beyond the cursor, so empty pages still get exact
    pageInfo.
    Only the `run_attributes` the query selects are fetched (all when None).
    """
    slot = backfill_dag_run
    filter_run = dag_run.alias("filter_run")
    ordered = _order_columns(slot)
    seek = parameterized_seek(shape, ordered)
    backfill_ids = BACKFILL_IDS
    position = (
        func.row_number()
        .over(partition_by=slot.c.backfill_id, order_by=fetch_order(ordered, seek))
        .label("position")
    )
    page = (
        select(*columns_or_null(slot, airflow, SLOT_COLUMNS), position)
        .select_from(_slot_source(slot, filter_run, spec))
        .where(
            slot.c.backfill_id.in_(backfill_ids),
            *in_scope(slot.c.backfill_id, scope),
            *_filter_conditions(slot, filter_run, spec),
            *range_conditions(ordered, seek),
        )
        .subquery("page")
    )
    run = dag_run
    page_columns = [page.c[name] for name in SLOT_COLUMNS]
    run_selected = labeled_dag_run_columns(airflow, run, RUN_PREFIX, run_attributes)
    if seek.after is None and seek.before is None and backfills_of is None:
        return (
            select(*page_columns, *run_selected)
            .select_from(page.outerjoin(run, run.c.id == page.c.dag_run_id))
            .where(page.c.position <= seek.limit)
            .order_by(page.c.backfill_id, page.c.position)
        )

    # Only backfills in scope get a page.
    parents = _parents(spec, seek, scope, backfills_of)
    return (
        select(
            *_parent_columns(parents, or_(page.c.position.is_(None), page.c.position == 1)),
            *page_columns,
            *run_selected,
        )
        .select_from(
            parents.outerjoin(
                page,
                and_(page.c.backfill_id == parents.c.parent_id, page.c.position <= seek.limit),
            ).outerjoin(run, run.c.id == page.c.dag_run_id)
        )
        .order_by(parents.c.parent_id, page.c.position)
    )


def _parent_columns(parents: FromClause, first_row: ColumnElement[bool]) -> list:
    """The parent rows' columns for each row of a page: the id and boundary flags on every
    row; the backfill's own columns (`with_backfills`) on the first row of its page only,
    NULL on the others (each row would repeat them, for the driver to decode again)."""
    columns = []
    for column in parents.c:
        if column.name.startswith(PARENT_PREFIX) and column.name != PARENT_PREFIX + "id":
            columns.append(case((first_row, column)).label(column.name))
        else:
            columns.append(column)
    return columns


def _beyond(spec: SlotFilter, condition) -> ColumnElement[bool]:
    """EXISTS a slot of the outer backfill, matching the filter, on the far side of a cursor."""
    slot = backfill_dag_run.alias("beyond_slot")
    run = dag_run.alias("beyond_run")
    return exists(
        select(1)
        .select_from(_slot_source(slot, run, spec))
        .where(
            slot.c.backfill_id == backfill.c.id,
            *_filter_conditions(slot, run, spec),
            condition(_order_columns(slot)),
        )
    )


def slot_counts(
    backfill_ids: Sequence[int], spec: SlotFilter, scope: DagScope | None = None
) -> tuple[Select, dict]:
    parameters = {"backfill_ids": list(backfill_ids), **scope_parameters(scope)}
    return _slot_counts(spec, shape_of(scope)), parameters


@lru_cache(maxsize=STATEMENT_CACHE_SIZE)
def _slot_counts(spec: SlotFilter, scope: ScopeShape | None = None) -> Select:
    slot, run = backfill_dag_run, dag_run
    return (
        select(slot.c.backfill_id, func.count().label("slot_count"))
        .select_from(_slot_source(slot, run, spec))
        .where(
            slot.c.backfill_id.in_(BACKFILL_IDS),
            *in_scope(slot.c.backfill_id, scope),
            *_filter_conditions(slot, run, spec),
        )
        .group_by(slot.c.backfill_id)
    )


def _count_where(condition: ColumnElement[bool], label: str):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0).label(label)


def slot_progress(
    backfill_ids: Sequence[int], scope: DagScope | None = None
) -> tuple[Select, dict]:
    """Per backfill: slots, skipped slots, slots whose run is gone, runs per state."""
    parameters = {"backfill_ids": list(backfill_ids), **scope_parameters(scope)}
    return _slot_progress(shape_of(scope)), parameters


@lru_cache(maxsize=16)
def _slot_progress(scope: ScopeShape | None = None) -> Select:
    slot, run = backfill_dag_run, dag_run
    skipped = slot.c.exception_reason.is_not(None)
    return (
        select(
            slot.c.backfill_id,
            func.count().label("slot_count"),
            _count_where(skipped, "skipped_count"),
            _count_where(and_(~skipped, slot.c.dag_run_id.is_(None)), "run_missing_count"),
            *(_count_where(run.c.state == state, f"{state}_count") for state in RUN_STATES),
        )
        .select_from(slot.outerjoin(run, run.c.id == slot.c.dag_run_id))
        .where(slot.c.backfill_id.in_(BACKFILL_IDS), *in_scope(slot.c.backfill_id, scope))
        .group_by(slot.c.backfill_id)
    )


def slots_by_id(
    ids: Sequence[int], airflow: AirflowSchema, scope: DagScope | None = None
) -> tuple[Select, dict]:
    """Slots by id; slots of backfills outside `scope` are absent, like unknown ids."""
    parameters = {"ids": list(ids), **scope_parameters(scope)}
    return _slots_by_id(airflow, shape_of(scope)), parameters


@lru_cache(maxsize=32)
def _slots_by_id(airflow: AirflowSchema, scope: ScopeShape | None = None) -> Select:
    slot, run = backfill_dag_run, dag_run
    return (
        select(
            *columns_or_null(slot, airflow, SLOT_COLUMNS),
            *labeled_dag_run_columns(airflow, run, RUN_PREFIX),
        )
        .select_from(slot.outerjoin(run, run.c.id == slot.c.dag_run_id))
        .where(
            slot.c.id.in_(bindparam("ids", expanding=True, type_=Integer())),
            *in_scope(slot.c.backfill_id, scope),
        )
    )
