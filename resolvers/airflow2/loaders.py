"""Per-request DataLoaders over Airflow 2's tables: the same `Loaders` interface as on
Airflow 3 (resolvers.loaders), one statement per loader (db.airflow2), so a response costs
the statements it costs on Airflow 3."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import partial

from strawberry.dataloader import DataLoader

from backfill_gateway.db.airflow2 import backfills as backfill_sql
from backfill_gateway.db.airflow2 import runs as run_sql
from backfill_gateway.db.airflow2 import slots as slot_sql
from backfill_gateway.db.airflow2 import task_counts as task_count_sql
from backfill_gateway.db.dag_scope import DagScope
from backfill_gateway.db.session import ReadSession
from backfill_gateway.db.slots import RUN_PREFIX, SlotFilter
from backfill_gateway.resolvers.airflow2.records import (
    Airflow2BackfillRecord,
    Airflow2DagRecord,
    Airflow2DagRunRecord,
    slot_from_row,
    slot_reader,
)
from backfill_gateway.resolvers.cached_property import cached_property
from backfill_gateway.resolvers.loaders import (
    Loaders,
    ProgressByBackfill,
    SlotCountByBackfill,
    SlotPage,
    SlotPageArgs,
    TaskCountsByBackfill,
    TaskCountsByDagRun,
)
from backfill_gateway.resolvers.loaders.primed_cache import PrimedCache
from backfill_gateway.resolvers.loaders.rows import load_by_key
from backfill_gateway.resolvers.loaders.slot_pages_by_backfill import slot_pages_of
from backfill_gateway.resolvers.records import DagRunRecord


async def _load_slot_pages(
    session: ReadSession,
    args: SlotPageArgs,
    scope: DagScope | None,
    backfill_ids: Sequence[int],
) -> list[SlotPage]:
    page = slot_sql.slot_pages(backfill_ids, args.filter, args.seek, scope)
    rows = await session.all(page.statement, page.parameters)
    return slot_pages_of(
        rows, backfill_ids, page.has_boundary_flags, partial(slot_reader, prefix=RUN_PREFIX)
    )


async def _no_blocking_runs(slot_ids: Sequence[int]) -> list[DagRunRecord | None]:
    # Airflow 2 never skips a date (it runs or reuses one): no slot is ever blocked.
    return [None] * len(slot_ids)


def _backfills_by_id(orphan_cutoff: datetime, scope: DagScope | None, ids: Sequence[int]):
    return backfill_sql.backfills_by_id(ids, orphan_cutoff, scope)


class Airflow2Loaders(Loaders):
    """resolvers.loaders.Loaders over Airflow 2's `job`, `dag_run` and `task_instance`,
    restricted to the caller's DAG `scope` like the Airflow 3 loaders."""

    # Each loader is made when a request first uses it, as on Airflow 3 (Loaders).

    def _by_key(self, statement_for, record_for, key_column: str, **options) -> DataLoader:
        return DataLoader(
            partial(load_by_key, self._session, statement_for, record_for, key_column),
            **options,
        )

    def _backfill_loader(self) -> DataLoader:
        return self._by_key(
            partial(_backfills_by_id, self._orphan_cutoff, self._scope), Airflow2BackfillRecord,
            "id", cache_map=PrimedCache(),  # listings prime it (Loaders.prime_backfills)
        )  # fmt: skip

    @cached_property
    def dag_run_by_id(self) -> DataLoader:
        return self._by_key(
            partial(run_sql.dag_runs_by_id, scope=self._scope), Airflow2DagRunRecord, "dag_run_id"
        )

    @cached_property
    def slot_by_id(self) -> DataLoader:
        return self._by_key(
            partial(slot_sql.slots_by_id, scope=self._scope),
            partial(slot_from_row, prefix=RUN_PREFIX),
            "id",
        )

    @cached_property
    def dag_by_dag_id(self) -> DataLoader:
        return self._by_key(
            partial(run_sql.dags_by_id, scope=self._scope), Airflow2DagRecord, "dag_id"
        )

    @cached_property
    def progress_by_backfill(self) -> ProgressByBackfill:
        return ProgressByBackfill(self._session, self._scope, slot_sql.slot_progress)

    @cached_property
    def task_counts_by_backfill(self) -> TaskCountsByBackfill:
        return TaskCountsByBackfill(
            self._session, self._scope, task_count_sql.task_counts_by_backfill
        )

    @cached_property
    def task_counts_by_dag_run(self) -> TaskCountsByDagRun:
        return TaskCountsByDagRun(
            self._session, self._scope, task_count_sql.task_counts_by_dag_run
        )

    @cached_property
    def blocking_run_by_slot(self) -> DataLoader:
        return DataLoader(_no_blocking_runs)

    def slot_pages_by_backfill(self, args: SlotPageArgs) -> DataLoader[int, SlotPage]:
        # Every dag_run column is read: Airflow 2's runs are few per job and narrow.
        args = SlotPageArgs(args.seek, args.filter, None)
        loader = self._slot_pages.get(args)
        if loader is None:
            loader = self._slot_pages[args] = DataLoader(
                partial(_load_slot_pages, self._session, args, self._scope)
            )
        return loader

    async def backfill_with_slot_page(
        self,
        backfill_id: int,
        args: SlotPageArgs,
        with_status: bool = True,
        backfill_columns: bool = True,
        *,
        batched: bool = True,
    ) -> Airflow2BackfillRecord | None:
        # A BackfillJob is a `job` row, its slots its runs: read apart, as for any parent
        # (batched with other lookups by id, whatever the caller knows).
        return await self.backfill_by_id.load(backfill_id)

    def slot_count_by_backfill(self, spec: SlotFilter) -> DataLoader[int, int]:
        loader = self._slot_counts.get(spec)
        if loader is None:
            loader = self._slot_counts[spec] = SlotCountByBackfill(
                self._session, spec, self._scope, slot_sql.slot_counts
            )
        return loader
