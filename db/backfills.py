"""SQL for backfills: lookups by id, filtered keyset listings, counts.

Each function returns a statement and its parameters. Statements are built
once per shape (filter, order, cursors present) and cached; the orphan cutoff,
page size and cursor keys are parameters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    bindparam,
    case,
    false,
    func,
    null,
    or_,
    select,
)

from backfill_gateway.db.airflow_schema import AirflowSchema, columns_or_null
from backfill_gateway.db.backfill_status import (
    ORPHAN_CUTOFF,
    has_active_runs,
    has_slots,
    status_condition,
)
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
from backfill_gateway.db.tables import backfill

STATEMENT_CACHE_SIZE = 256
ORDER_COLUMNS = {
    "id": (backfill.c.id,),
    "created_at": (backfill.c.created_at, backfill.c.id),
}


@dataclass(frozen=True, slots=True)
class BackfillFilter:
    dag_ids: tuple[str, ...] | None = None
    backfill_ids: tuple[int, ...] | None = None
    statuses: tuple[str, ...] | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None


def backfill_columns(airflow: AirflowSchema) -> list[ColumnElement]:
    """Every column of `backfill`; those this Airflow lacks as labeled NULLs."""
    return columns_or_null(backfill, airflow)


def columns_with_status(airflow: AirflowSchema, with_status: bool = True) -> list[ColumnElement]:
    """Every column, and the probes the status is derived from (NULL without status)."""
    if not with_status:
        probes = [null().label("has_slots"), null().label("has_active_runs")]
    else:
        # Only a backfill without slots needs the second probe.
        probes = [
            has_slots().label("has_slots"),
            case((has_slots(), false()), else_=has_active_runs()).label("has_active_runs"),
        ]
    return [*backfill_columns(airflow), *probes]


def filter_conditions(spec: BackfillFilter, orphan_cutoff=ORPHAN_CUTOFF) -> list[ColumnElement]:
    conditions: list[ColumnElement] = []
    if spec.dag_ids is not None:
        conditions.append(backfill.c.dag_id.in_(possible_dag_ids(spec.dag_ids)))
    if spec.backfill_ids is not None:
        conditions.append(backfill.c.id.in_(spec.backfill_ids))
    if spec.statuses is not None:
        # An empty list matches nothing (as `dagIds: []` does).
        conditions.append(
            or_(false(), *(status_condition(s, orphan_cutoff) for s in spec.statuses))
        )
    if spec.created_after is not None:
        conditions.append(backfill.c.created_at >= spec.created_after)
    if spec.created_before is not None:
        conditions.append(backfill.c.created_at < spec.created_before)
    return conditions


def backfills_by_id(
    ids: Sequence[int], airflow: AirflowSchema, scope: DagScope | None = None
) -> tuple[Select, dict]:
    """Backfills by id; those of DAGs outside `scope` are absent, like unknown ids."""
    parameters = {"ids": list(ids), **scope_parameters(scope)}
    return _backfills_by_id(airflow, shape_of(scope)), parameters


@lru_cache(maxsize=STATEMENT_CACHE_SIZE)
def _backfills_by_id(airflow: AirflowSchema, scope: ScopeShape | None) -> Select:
    return select(*columns_with_status(airflow)).where(
        backfill.c.id.in_(bindparam("ids", expanding=True, type_=Integer())),
        *dag_scope_condition(scope, backfill.c.dag_id),
    )


def backfill_page(
    spec: BackfillFilter,
    order_field: str,
    seek: Seek,
    orphan_cutoff: datetime,
    airflow: AirflowSchema,
    scope: DagScope | None = None,
    with_status: bool = True,
) -> PageStatement:
    """A page of backfills; `with_status=False` reads no status probe (the database's
    most expensive part of a listing: two subqueries per backfill)."""
    statement = _backfill_page(
        spec, order_field, seek_shape(seek), airflow, shape_of(scope), with_status
    )
    return listing_statement(statement, seek, orphan_cutoff, scope)


def listing_statement(
    statement: Select, seek: Seek, orphan_cutoff: datetime, scope: DagScope | None
) -> PageStatement:
    """A page statement of `listing_of` with its parameters (the filter's status
    conditions take the orphan cutoff)."""
    parameters = {
        "orphan_cutoff": orphan_cutoff, **seek_parameters(seek), **scope_parameters(scope),
    }
    has_cursor = seek.after is not None or seek.before is not None
    return PageStatement(statement, parameters, has_boundary_flags=has_cursor)


@lru_cache(maxsize=STATEMENT_CACHE_SIZE)
def _backfill_page(
    spec: BackfillFilter,
    order_field: str,
    shape: SeekShape,
    airflow: AirflowSchema,
    scope: ScopeShape | None = None,
    with_status: bool = True,
) -> Select:
    """One page of backfills, plus exact boundary flags when paging from a cursor."""
    return listing_of(columns_with_status(airflow, with_status), spec, order_field, shape, scope)


def listing_of(
    columns: Sequence[ColumnElement],
    spec: BackfillFilter,
    order_field: str,
    shape: SeekShape,
    scope: ScopeShape | None,
) -> Select:
    """`columns` of the backfills on one page of a filtered listing in the caller's scope."""
    order_columns = ORDER_COLUMNS[order_field]
    seek = parameterized_seek(shape, order_columns)
    conditions = [*filter_conditions(spec), *dag_scope_condition(scope, backfill.c.dag_id)]
    return listing_page(columns, conditions, order_columns, seek)


def count_backfills(
    spec: BackfillFilter, orphan_cutoff: datetime, scope: DagScope | None = None
) -> tuple[Select, dict]:
    parameters = {"orphan_cutoff": orphan_cutoff, **scope_parameters(scope)}
    return _count_backfills(spec, shape_of(scope)), parameters


@lru_cache(maxsize=STATEMENT_CACHE_SIZE)
def _count_backfills(spec: BackfillFilter, scope: ScopeShape | None) -> Select:
    return (
        select(func.count().label("backfill_count"))
        .select_from(backfill)
        .where(*filter_conditions(spec), *dag_scope_condition(scope, backfill.c.dag_id))
    )
