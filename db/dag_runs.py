"""SQL for dag runs: the columns the gateway exposes and lookups by id."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from functools import lru_cache

from sqlalchemy import Integer, Label, Select, Table, bindparam, select
from sqlalchemy.sql import Alias

from backfill_gateway.db.airflow_schema import AirflowSchema, column_or_null
from backfill_gateway.db.dag_scope import (
    DagScope,
    ScopeShape,
    dag_scope_condition,
    scope_parameters,
    shape_of,
)
from backfill_gateway.db.tables import dag_run

# Exposed name -> dag_run column. resolvers.records.DagRunRecord reads these names.
DAG_RUN_FIELDS = (
    ("dag_run_id", "id"),
    ("dag_id", "dag_id"),
    ("run_id", "run_id"),
    ("state", "state"),
    ("run_type", "run_type"),
    ("triggered_by", "triggered_by"),
    ("triggering_user_name", "triggering_user_name"),
    ("logical_date", "logical_date"),
    ("run_after", "run_after"),
    ("queued_at", "queued_at"),
    ("start_date", "start_date"),
    ("end_date", "end_date"),
    ("data_interval_start", "data_interval_start"),
    ("data_interval_end", "data_interval_end"),
    ("conf", "conf"),
    ("clear_number", "clear_number"),
    ("backfill_id", "backfill_id"),
    ("partition_key", "partition_key"),
    ("partition_date", "partition_date"),
    ("created_at", "created_at"),
    ("updated_at", "updated_at"),
)


def labeled_dag_run_columns(
    airflow: AirflowSchema,
    table: Table | Alias = dag_run,
    prefix: str = "",
    attributes: Collection[str] | None = None,
) -> list[Label]:
    """`dag_run` columns labeled `prefix` + the record attribute each one fills; only those
    of `attributes` (and always the id) when given. A column this Airflow lacks (e.g.
    `partition_key` before 3.2) is a NULL under the same label."""
    return [
        column_or_null(table, column, airflow).label(prefix + name)
        for name, column in DAG_RUN_FIELDS
        if attributes is None or name == "dag_run_id" or name in attributes
    ]


def dag_runs_by_id(
    ids: Sequence[int], airflow: AirflowSchema, scope: DagScope | None = None
) -> tuple[Select, dict]:
    """Dag runs by id; runs of DAGs outside `scope` are absent, like unknown ids."""
    parameters = {"ids": list(ids), **scope_parameters(scope)}
    return _dag_runs_by_id(airflow, shape_of(scope)), parameters


@lru_cache(maxsize=32)
def _dag_runs_by_id(airflow: AirflowSchema, scope: ScopeShape | None) -> Select:
    return select(*labeled_dag_run_columns(airflow)).where(
        dag_run.c.id.in_(bindparam("ids", expanding=True, type_=Integer())),
        *dag_scope_condition(scope, dag_run.c.dag_id),
    )
