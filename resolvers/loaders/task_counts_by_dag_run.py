"""`TaskCountsByDagRun`: a dag run's task instances by state."""

from __future__ import annotations

from functools import partial

from strawberry.dataloader import DataLoader

from backfill_gateway.db import task_counts as task_count_sql
from backfill_gateway.db.dag_scope import DagScope
from backfill_gateway.db.session import ReadSession
from backfill_gateway.resolvers.loaders.task_counts_by_backfill import (
    TaskCountStatement,
    load_task_counts,
)
from backfill_gateway.resolvers.records import TaskCounts


class TaskCountsByDagRun(DataLoader[int, TaskCounts]):
    """A run's task counts by dag run id (Airflow 3 or 2: `statement_for`); all zeros for a
    run without task instances, or of a DAG outside `scope`."""

    def __init__(
        self,
        session: ReadSession,
        scope: DagScope | None = None,
        statement_for: TaskCountStatement = task_count_sql.task_counts_by_dag_run,
    ) -> None:
        super().__init__(partial(load_task_counts, session, statement_for, "dag_run_id", scope))
