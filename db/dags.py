"""SQL for Airflow's `dag` table (display name, pause state, owners)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from sqlalchemy import Select, bindparam, select

from backfill_gateway.db.airflow_schema import AirflowSchema, columns_or_null
from backfill_gateway.db.dag_scope import (
    DagScope,
    ScopeShape,
    dag_scope_condition,
    scope_parameters,
    shape_of,
)
from backfill_gateway.db.tables import dag

DAG_COLUMNS = (
    "dag_id", "dag_display_name", "is_paused", "is_stale", "owners", "description",
    "timetable_summary", "timetable_description", "max_active_runs", "fileloc", "bundle_name",
    "has_import_errors", "next_dagrun",
)  # fmt: skip


# Airflow's rule for DAG ids (airflow.utils.helpers.validate_key), and MySQL's utf8mb3
# id columns, which cannot hold characters beyond the Basic Multilingual Plane.
_DAG_ID = re.compile(r"[\w.-]{1,250}")


def possible_dag_ids(values: Iterable[str]) -> list[str]:
    """The values that can be a stored DAG id; any other value matches nothing, and
    sending it could only make a database refuse the comparison (MySQL collations)."""
    return [v for v in values if _DAG_ID.fullmatch(v) and max(map(ord, v)) <= 0xFFFF]


def dags_by_id(
    dag_ids: Sequence[str], airflow: AirflowSchema, scope: DagScope | None = None
) -> tuple[Select, dict]:
    """DAGs by id; those outside `scope` are absent, like unknown ids."""
    parameters = {"dag_ids": possible_dag_ids(dag_ids), **scope_parameters(scope)}
    return _dags_by_id(airflow, shape_of(scope)), parameters


@lru_cache(maxsize=32)
def _dags_by_id(airflow: AirflowSchema, scope: ScopeShape | None) -> Select:
    return select(*columns_or_null(dag, airflow, DAG_COLUMNS)).where(
        dag.c.dag_id.in_(bindparam("dag_ids", expanding=True, type_=dag.c.dag_id.type)),
        *dag_scope_condition(scope, dag.c.dag_id),
    )
