"""`TaskCountsByBackfill`: task instances by state over all of a backfill's runs."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from functools import partial

from sqlalchemy import Select
from strawberry.dataloader import DataLoader

from backfill_gateway.db import task_counts as task_count_sql
from backfill_gateway.db.dag_scope import DagScope
from backfill_gateway.db.session import ReadSession
from backfill_gateway.resolvers.loaders.rows import mappings
from backfill_gateway.resolvers.records import NO_TASKS, TaskCounts

# (keys, scope) -> (statement, parameters): one row of counts per key that has tasks.
TaskCountStatement = Callable[[Sequence[Hashable], DagScope | None], tuple[Select, dict]]


async def load_task_counts(
    session: ReadSession,
    statement_for: TaskCountStatement,
    key_column: str,
    scope: DagScope | None,
    keys: Sequence[Hashable],
) -> list[TaskCounts]:
    """One statement for all keys (Airflow 3 or 2: `statement_for`); zeros where none."""
    rows = await mappings(session, *statement_for(list(dict.fromkeys(keys)), scope))
    found = {row[key_column]: TaskCounts(row) for row in rows}
    return [found.get(key, NO_TASKS) for key in keys]


class TaskCountsByBackfill(DataLoader[int, TaskCounts]):
    """A backfill's task counts by backfill id: over its slots' runs on Airflow 3, the
    job's runs on Airflow 2 (`statement_for`); all zeros for a backfill without tasks."""

    def __init__(
        self,
        session: ReadSession,
        scope: DagScope | None = None,
        statement_for: TaskCountStatement = task_count_sql.task_counts_by_backfill,
    ) -> None:
        super().__init__(partial(load_task_counts, session, statement_for, "backfill_id", scope))
