"""SQL for task instance counts on Airflow 3: per backfill (over its slots' runs) and per run.

One statement serves every key of a response. Task instances are found by their run's
`(dag_id, run_id)`, Airflow's own `ti_dag_run` index (and the run's foreign key).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from sqlalchemy import Integer, Select, and_, bindparam, select
from sqlalchemy.sql import FromClause

from backfill_gateway.db.dag_scope import (
    DagScope,
    ScopeShape,
    dag_scope_condition,
    filter_only,
    scope_parameters,
    shape_of,
)
from backfill_gateway.db.slots import BACKFILL_IDS, in_scope
from backfill_gateway.db.tables import backfill_dag_run, dag_run, task_instance
from backfill_gateway.db.task_states import by_run_index, task_state_counts

DAG_RUN_IDS = bindparam("dag_run_ids", expanding=True, type_=Integer())


def tasks_of(run: FromClause, ti: FromClause = task_instance):
    """The join condition from a run to its task instances."""
    return and_(ti.c.dag_id == run.c.dag_id, ti.c.run_id == run.c.run_id)


def task_counts_by_backfill(
    backfill_ids: Sequence[int], scope: DagScope | None = None
) -> tuple[Select, dict]:
    """Per backfill: its slots' runs' task instances by state (skipped slots have none)."""
    parameters = {"backfill_ids": list(backfill_ids), **scope_parameters(scope)}
    return _task_counts_by_backfill(shape_of(scope)), parameters


@lru_cache(maxsize=16)
def _task_counts_by_backfill(scope: ScopeShape | None) -> Select:
    slot, run, ti = backfill_dag_run, dag_run, task_instance
    return by_run_index(
        select(slot.c.backfill_id, *task_state_counts(ti))
        .select_from(slot.join(run, run.c.id == slot.c.dag_run_id).join(ti, tasks_of(run, ti)))
        .where(slot.c.backfill_id.in_(BACKFILL_IDS), *in_scope(slot.c.backfill_id, scope))
        .group_by(slot.c.backfill_id),
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
        .select_from(run.join(ti, tasks_of(run, ti)))
        .where(run.c.id.in_(DAG_RUN_IDS), *dag_scope_condition(scope, filter_only(run.c.dag_id)))
        .group_by(run.c.id),
        ti,
    )
