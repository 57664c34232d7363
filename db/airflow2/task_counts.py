"""SQL for task instance counts on Airflow 2: per BackfillJob (over the runs it created or
took over, the same runs its slots are) and per run. As db.task_counts does on Airflow 3,
task instances are found by their run's `(dag_id, run_id)` (Airflow's `ti_dag_run` index)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from sqlalchemy import Integer, Select, and_, bindparam, select

from backfill_gateway.db.airflow2.ownership import owned_runs
from backfill_gateway.db.airflow2.slots import BACKFILL_IDS
from backfill_gateway.db.airflow2.tables import dag_run, task_instance
from backfill_gateway.db.dag_scope import (
    DagScope,
    ScopeShape,
    dag_scope_condition,
    filter_only,
    scope_parameters,
    shape_of,
)
from backfill_gateway.db.task_states import by_run_index, task_state_counts

DAG_RUN_IDS = bindparam("dag_run_ids", expanding=True, type_=Integer())


def _tasks_of_run():
    run, ti = dag_run, task_instance
    return and_(ti.c.dag_id == run.c.dag_id, ti.c.run_id == run.c.run_id)


def task_counts_by_backfill(
    backfill_ids: Sequence[int], scope: DagScope | None = None
) -> tuple[Select, dict]:
    """Per BackfillJob: its runs' task instances by state."""
    parameters = {"backfill_ids": list(backfill_ids), **scope_parameters(scope)}
    return _task_counts_by_backfill(shape_of(scope)), parameters


@lru_cache(maxsize=16)
def _task_counts_by_backfill(scope: ScopeShape | None) -> Select:
    owned = owned_runs(BACKFILL_IDS)
    run, ti = dag_run, task_instance
    return by_run_index(
        select(owned.c.job_id.label("backfill_id"), *task_state_counts(ti))
        .select_from(owned.join(run, run.c.id == owned.c.dag_run_id).join(ti, _tasks_of_run()))
        .where(*dag_scope_condition(scope, filter_only(run.c.dag_id)))
        .group_by(owned.c.job_id),
        ti,
    )


def task_counts_by_dag_run(
    dag_run_ids: Sequence[int], scope: DagScope | None = None
) -> tuple[Select, dict]:
    """Per dag run: its task instances by state; runs of DAGs outside `scope` are absent."""
    parameters = {"dag_run_ids": list(dag_run_ids), **scope_parameters(scope)}
    return _task_counts_by_dag_run(shape_of(scope)), parameters


@lru_cache(maxsize=16)
def _task_counts_by_dag_run(scope: ScopeShape | None) -> Select:
    run, ti = dag_run, task_instance
    return by_run_index(
        select(run.c.id.label("dag_run_id"), *task_state_counts(ti))
        .select_from(run.join(ti, _tasks_of_run()))
        .where(run.c.id.in_(DAG_RUN_IDS), *dag_scope_condition(scope, filter_only(run.c.dag_id)))
        .group_by(run.c.id),
        ti,
    )
