"""SQL for Airflow 2 dag runs and DAGs: the columns the gateway exposes, lookups by id.

2.x names the logical date `execution_date` and stores `conf` pickled; columns Airflow 2
does not have (`run_after`, `triggered_by`, `backfill_id`, partitions, ...) are absent
here and null in the API (resolvers.airflow2.records).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from sqlalchemy import Integer, Label, Select, bindparam, select
from sqlalchemy.sql import FromClause

from backfill_gateway.db.airflow2.tables import dag, dag_run
from backfill_gateway.db.dag_scope import (
    DagScope,
    ScopeShape,
    dag_scope_condition,
    scope_parameters,
    shape_of,
)
from backfill_gateway.db.dags import possible_dag_ids

# Exposed name -> Airflow 2 dag_run column (resolvers.airflow2.records reads these names).
DAG_RUN_FIELDS = (
    ("dag_run_id", "id"),
    ("dag_id", "dag_id"),
    ("run_id", "run_id"),
    ("state", "state"),
    ("run_type", "run_type"),
    ("logical_date", "execution_date"),
    ("queued_at", "queued_at"),
    ("start_date", "start_date"),
    ("end_date", "end_date"),
    ("data_interval_start", "data_interval_start"),
    ("data_interval_end", "data_interval_end"),
    ("conf", "conf"),
    ("clear_number", "clear_number"),
    ("updated_at", "updated_at"),
)
DAG_FIELDS = (
    "dag_id", "dag_display_name", "is_paused", "is_active", "owners", "description",
    "schedule_interval", "timetable_description", "max_active_runs", "fileloc",
    "has_import_errors", "next_dagrun",
)  # fmt: skip


def dag_run_columns(table: FromClause = dag_run, prefix: str = "") -> list[Label]:
    return [table.c[column].label(prefix + name) for name, column in DAG_RUN_FIELDS]


def dag_runs_by_id(ids: Sequence[int], scope: DagScope | None = None) -> tuple[Select, dict]:
    """Dag runs by id; runs of DAGs outside `scope` are absent, like unknown ids."""
    return _dag_runs_by_id(shape_of(scope)), {"ids": list(ids), **scope_parameters(scope)}


@lru_cache(maxsize=16)
def _dag_runs_by_id(scope: ScopeShape | None) -> Select:
    return select(*dag_run_columns()).where(
        dag_run.c.id.in_(bindparam("ids", expanding=True, type_=Integer())),
        *dag_scope_condition(scope, dag_run.c.dag_id),
    )


def dags_by_id(dag_ids: Sequence[str], scope: DagScope | None = None) -> tuple[Select, dict]:
    """DAGs by id; those outside `scope` are absent, like unknown ids."""
    parameters = {"dag_ids": possible_dag_ids(dag_ids), **scope_parameters(scope)}
    return _dags_by_id(shape_of(scope)), parameters


@lru_cache(maxsize=16)
def _dags_by_id(scope: ScopeShape | None) -> Select:
    return select(*(dag.c[name] for name in DAG_FIELDS)).where(
        dag.c.dag_id.in_(bindparam("dag_ids", expanding=True, type_=dag.c.dag_id.type)),
        *dag_scope_condition(scope, dag.c.dag_id),
    )
