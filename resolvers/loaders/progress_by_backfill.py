"""`ProgressByBackfill`: slot and run-state counts over a whole backfill."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from sqlalchemy import Select
from strawberry.dataloader import DataLoader

from backfill_gateway.db import slots as slot_sql
from backfill_gateway.db.dag_scope import DagScope
from backfill_gateway.db.session import ReadSession
from backfill_gateway.resolvers.loaders.rows import mappings


@dataclass(frozen=True, slots=True)
class Progress:
    slot_count: int
    skipped_count: int
    run_missing_count: int
    queued_count: int
    running_count: int
    success_count: int
    failed_count: int

    @property
    def finished_count(self) -> int:
        # Nothing is left to run for a slot that finished, was skipped or lost its run.
        return self.success_count + self.failed_count + self.skipped_count + self.run_missing_count

    @property
    def finished_fraction(self) -> float | None:
        return self.finished_count / self.slot_count if self.slot_count else None


NO_PROGRESS = Progress(0, 0, 0, 0, 0, 0, 0)


# (backfill ids, scope) -> (statement, parameters) of one row of counts per backfill.
ProgressStatement = Callable[[Sequence[int], DagScope | None], tuple[Select, dict]]


async def load_progress(
    session: ReadSession,
    statement_for: ProgressStatement,
    scope: DagScope | None,
    backfill_ids: Sequence[int],
) -> list[Progress]:
    """One statement of counts for all the backfills (Airflow 3 or 2: `statement_for`)."""
    rows = await mappings(session, *statement_for(backfill_ids, scope))
    found = {
        row["backfill_id"]: Progress(
            slot_count=row["slot_count"],
            skipped_count=int(row["skipped_count"]),
            run_missing_count=int(row["run_missing_count"]),
            queued_count=int(row["queued_count"]),
            running_count=int(row["running_count"]),
            success_count=int(row["success_count"]),
            failed_count=int(row["failed_count"]),
        )
        for row in rows
    }
    return [found.get(backfill_id, NO_PROGRESS) for backfill_id in backfill_ids]


class ProgressByBackfill(DataLoader[int, Progress]):
    """A backfill's progress by backfill id; all zeros for a backfill without slots."""

    def __init__(
        self,
        session: ReadSession,
        scope: DagScope | None = None,
        statement_for: ProgressStatement = slot_sql.slot_progress,
    ) -> None:
        super().__init__(partial(load_progress, session, statement_for, scope))
