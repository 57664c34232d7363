"""Per-request DataLoaders: each turns one tick's worth of loads into one statement.

A response with 500 backfills and their nested pages costs the same number of
statements as one with 5: one per loader (and per distinct page arguments or
filter), never one per parent. Each loader lives in its own module, named for
what it returns and by what key.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable, Iterable, Sequence
from datetime import datetime

from sqlalchemy import Select
from sqlalchemy.engine import Row

from backfill_gateway.db.airflow_schema import AirflowSchema
from backfill_gateway.db.dag_scope import DagScope
from backfill_gateway.db.session import ReadSession
from backfill_gateway.db.slots import SlotFilter
from backfill_gateway.resolvers.cached_property import cached_property
from backfill_gateway.resolvers.loaders.backfill_by_id import BackfillById
from backfill_gateway.resolvers.loaders.backfill_with_slot_page_by_id import (
    BackfillWithSlotPageById,
    read_backfills_with_slot_pages,
)
from backfill_gateway.resolvers.loaders.blocking_run_by_slot import BlockingRunBySlot
from backfill_gateway.resolvers.loaders.dag_by_dag_id import DagByDagId
from backfill_gateway.resolvers.loaders.dag_run_by_id import DagRunById
from backfill_gateway.resolvers.loaders.progress_by_backfill import (
    NO_PROGRESS,
    Progress,
    ProgressByBackfill,
)
from backfill_gateway.resolvers.loaders.slot_by_id import SlotById
from backfill_gateway.resolvers.loaders.slot_count_by_backfill import SlotCountByBackfill
from backfill_gateway.resolvers.loaders.slot_pages_by_backfill import (
    SlotPage,
    SlotPageArgs,
    SlotPagesByBackfill,
)
from backfill_gateway.resolvers.loaders.task_counts_by_backfill import TaskCountsByBackfill
from backfill_gateway.resolvers.loaders.task_counts_by_dag_run import TaskCountsByDagRun
from backfill_gateway.resolvers.records import BackfillRecord

__all__ = [
    "NO_PROGRESS",
    "BackfillById",
    "BackfillWithSlotPageById",
    "BlockingRunBySlot",
    "DagByDagId",
    "DagRunById",
    "Loaders",
    "Progress",
    "ProgressByBackfill",
    "SlotById",
    "SlotCountByBackfill",
    "SlotPage",
    "SlotPageArgs",
    "SlotPagesByBackfill",
    "TaskCountsByBackfill",
    "TaskCountsByDagRun",
]


def _being_cancelled() -> bool:
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


class Loaders:
    """The DataLoaders of one request; they cache within the request only.

    The load functions hold the session, never this object: a reference cycle
    through the loaders would keep every record of a response alive until the
    cyclic garbage collector runs, instead of freeing it when the request ends.

    Every loader restricts its statement to the caller's DAG `scope` (None: all DAGs):
    rows of other DAGs are never read, so they load as None, exactly like unknown keys.
    """

    def __init__(
        self,
        session: ReadSession,
        orphan_cutoff: datetime,
        airflow: AirflowSchema,
        scope: DagScope | None = None,
    ) -> None:
        self._session = session
        self._orphan_cutoff = orphan_cutoff
        # Statements are built for the database's Airflow schema (db.airflow_schema).
        self._airflow = airflow
        self._scope = scope
        self._slot_pages: dict[SlotPageArgs, SlotPagesByBackfill] = {}
        self._backfills_with_slot_pages: dict[
            tuple[SlotPageArgs, bool], BackfillWithSlotPageById
        ] = {}
        self._slot_counts: dict[SlotFilter, SlotCountByBackfill] = {}
        self._memoized: dict[Hashable, asyncio.Future] = {}
        # What a backfill's read with its page brought, kept as plain values: the loaders
        # that answer them are primed only if the request makes them (most never do, and
        # making and priming two DataLoaders cost 3.8% of Q3-first's instructions).
        self._read_pages: dict[SlotPageArgs, dict[int, SlotPage]] = {}
        self._read_backfills: dict[tuple, BackfillRecord | None] = {}
        # Backfills listings read, by id, for `backfill_by_id` should the request make it
        # (making and priming it cost Q0 ~3% of its instructions; few requests load one).
        self._listed_backfills: dict[int, BackfillRecord] = {}

    # Each loader is made when a request first uses it: most requests use one or two of
    # them, and making all eight cost a small query ~4% of its CPU (callgrind, Q0).

    @cached_property
    def backfill_by_id(self) -> BackfillById:
        loader = self._backfill_loader()
        if self._listed_backfills:
            loader.cache_map.prime(self._listed_backfills)
        return loader

    def _backfill_loader(self) -> BackfillById:
        """A new `backfill_by_id` loader, its cache a PrimedCache."""
        return BackfillById(self._session, self._orphan_cutoff, self._airflow, self._scope)

    @cached_property
    def dag_run_by_id(self) -> DagRunById:
        return DagRunById(self._session, self._airflow, self._scope)

    @cached_property
    def slot_by_id(self) -> SlotById:
        return SlotById(self._session, self._airflow, self._scope)

    @cached_property
    def dag_by_dag_id(self) -> DagByDagId:
        return DagByDagId(self._session, self._airflow, self._scope)

    @cached_property
    def progress_by_backfill(self) -> ProgressByBackfill:
        return ProgressByBackfill(self._session, self._scope)

    @cached_property
    def task_counts_by_backfill(self) -> TaskCountsByBackfill:
        return TaskCountsByBackfill(self._session, self._scope)

    @cached_property
    def task_counts_by_dag_run(self) -> TaskCountsByDagRun:
        return TaskCountsByDagRun(self._session, self._scope)

    @cached_property
    def blocking_run_by_slot(self) -> BlockingRunBySlot:
        return BlockingRunBySlot(self._session, self._airflow, self._scope)

    def slot_pages_by_backfill(self, args: SlotPageArgs) -> SlotPagesByBackfill:
        """The loader for one set of page arguments (one statement per distinct value);
        it answers the pages read with their backfills without another."""
        loader = self._slot_pages.get(args)
        if loader is None:
            loader = self._slot_pages[args] = SlotPagesByBackfill(
                self._session, args, self._airflow, self._scope
            )
            read = self._read_pages.get(args)
            if read:
                loader.prime_many(read)
        return loader

    async def slot_page(self, args: SlotPageArgs, backfill_id: int) -> SlotPage:
        """A backfill's page for `args`: the one read with the backfill, or loaded."""
        read = self._read_pages.get(args)
        if read is not None and (page := read.get(backfill_id)) is not None:
            return page
        return await self.slot_pages_by_backfill(args).load(backfill_id)

    def backfill_with_slot_page_by_id(
        self, args: SlotPageArgs, with_status: bool = True, backfill_columns: bool = True
    ) -> BackfillWithSlotPageById:
        """The loader for one set of page arguments (one statement per distinct value)."""
        key = (args, with_status, backfill_columns)
        loader = self._backfills_with_slot_pages.get(key)
        if loader is None:
            loader = self._backfills_with_slot_pages[key] = BackfillWithSlotPageById(
                self._session, args, self._orphan_cutoff, self._airflow, self._scope,
                with_status, backfill_columns,
            )  # fmt: skip
        return loader

    async def backfill_with_slot_page(
        self,
        backfill_id: int,
        args: SlotPageArgs,
        with_status: bool = True,
        backfill_columns: bool = True,
        *,
        batched: bool = True,
    ) -> BackfillRecord | None:
        """A backfill by id, its page of slots for `args` read in the same statement: the
        page is primed, so `slot_pages_by_backfill(args)` answers it without another.
        Without `with_status` the record's status is None (see `prime_backfills`); without
        `backfill_columns` it is a BackfillIdOnly, which is never primed for others.

        Not `batched`, for a caller that knows no other lookup of the request can share the
        statement (a document's only `backfill` root field): read at once in the caller's
        task, not through a batch, which costs a task and two event-loop iterations (9% of
        Q3-first's instructions, bench/README.md). The result is kept all the same, for a
        second run of the request (the fast path's fallback)."""
        key = (args, with_status, backfill_columns, backfill_id)
        if key in self._read_backfills:  # the same request read it (a fallback's rerun)
            return self._read_backfills[key]
        if batched:
            loader = self.backfill_with_slot_page_by_id(args, with_status, backfill_columns)
            record, page = await loader.load(backfill_id)
        else:
            ((record, page),) = await read_backfills_with_slot_pages(
                self._session, args, self._orphan_cutoff, self._airflow, self._scope,
                with_status, backfill_columns, (backfill_id,),
            )  # fmt: skip
        self._read_backfills[key] = record
        if record is not None:
            if backfill_columns:
                self.prime_backfills((record,))
            self._read_pages.setdefault(args, {})[backfill_id] = page
            loader = self._slot_pages.get(args)
            if loader is not None:
                loader.prime(backfill_id, page)
        return record

    def slot_count_by_backfill(self, spec: SlotFilter) -> SlotCountByBackfill:
        """The loader for one filter (one statement per distinct filter)."""
        loader = self._slot_counts.get(spec)
        if loader is None:
            loader = self._slot_counts[spec] = SlotCountByBackfill(
                self._session, spec, self._scope
            )
        return loader

    async def memoized_rows(
        self, key: Hashable, statement: Callable[[], tuple[Select, dict]]
    ) -> Sequence[Row]:
        """Rows of a statement that is not per parent (a listing, a count), memoized per
        request: sent at most once for the same key, however many fields ask for it."""
        while (future := self._memoized.get(key)) is not None:
            try:
                return await asyncio.shield(future)
            except asyncio.CancelledError:
                if not future.cancelled() or _being_cancelled():
                    raise
                # The first asker ended before its statement answered: ask again.
        # The first asker reads in its own task (a Task per statement would cost an
        # event-loop iteration); later askers wait for its result.
        future = self._memoized[key] = asyncio.get_running_loop().create_future()
        try:
            rows = await self._session.all(*statement())
        except Exception as error:
            future.set_exception(error)
            future.exception()  # retrieved: no "never retrieved" warning without a 2nd asker
            raise
        except BaseException:
            # Cancelled, or its coroutine closed: no answer, the next asker reads again.
            if self._memoized.get(key) is future:
                del self._memoized[key]
            future.cancel()
            raise
        future.set_result(rows)
        return rows

    def prime_backfills(self, records: Iterable[BackfillRecord]) -> None:
        """Backfills read by a listing (or with a slot page) need no second lookup by id.
        Records read without status (None) come only from requests that select no status
        anywhere (`document_selects`), so no field of theirs reads one."""
        loader = self.__dict__.get("backfill_by_id")
        if loader is None:  # primed when made, if ever: the first value of a key wins
            listed = self._listed_backfills
            for record in records:
                listed.setdefault(record.backfill_id, record)
            return
        values = {record.backfill_id: record for record in records}
        batch = loader.batch
        if batch is not None and batch.tasks and not batch.dispatched:
            loader.prime_many(values)  # also answers the loads waiting in that batch
        else:
            loader.cache_map.prime(values)
