"""Per-request DataLoaders: each turns one tick's worth of loads into one statement.

A response with 500 backfills and their nested pages costs the same number of
statements as one with 5: one per loader (and per distinct page arguments or
filter), never one per parent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import Select
from strawberry.dataloader import DataLoader

from backfill_gateway.db import backfills as backfill_sql
from backfill_gateway.db import dag_runs as dag_run_sql
from backfill_gateway.db import dags as dag_sql
from backfill_gateway.db import slots as slot_sql
from backfill_gateway.db.engine import ReadSession
from backfill_gateway.db.keyset import Seek
from backfill_gateway.resolvers.records import (
    BackfillRecord,
    DagRecord,
    DagRunRecord,
    SlotRecord,
    slot_from_mapping,
    slot_reader,
)

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True, slots=True)
class SlotPageArgs:
    """Everything that shapes a page of slots; one statement per distinct value."""

    seek: Seek
    filter: slot_sql.SlotFilter
    run_columns: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class SlotPage:
    """Up to `limit` slots of one backfill in fetch order, and the boundary flags."""

    slots: list[SlotRecord]
    exists_up_to_after: bool
    exists_from_before: bool


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


def _slot_from_row(row) -> SlotRecord:
    return slot_from_mapping(row, slot_sql.RUN_PREFIX)


async def _rows(
    session: ReadSession, statement: Select, parameters: dict | None = None
) -> Sequence[Any]:
    return [row._mapping for row in await session.all(statement, parameters)]


async def _load_by_key(
    session: ReadSession,
    statement_for: Callable[[Sequence[K]], tuple[Select, dict]],
    record_for: Callable[[Any], Any],
    key_column: str,
    keys: Sequence[K],
) -> list[Any]:
    rows = await _rows(session, *statement_for(list(dict.fromkeys(keys))))
    found = {row[key_column]: record_for(row) for row in rows}
    return [found.get(key) for key in keys]


async def _load_slot_pages(
    session: ReadSession, args: SlotPageArgs, backfill_ids: Sequence[int]
) -> list[SlotPage]:
    statement = slot_sql.slot_pages(
        backfill_ids, args.filter, args.seek, args.run_columns, session.dialect_name
    )
    rows = await session.all(*statement)
    slots: dict[int, list[SlotRecord]] = {backfill_id: [] for backfill_id in backfill_ids}
    flags: dict[int, tuple[bool, bool]] = {}
    if rows:
        read = slot_reader(rows[0]._fields, slot_sql.RUN_PREFIX)
        if "parent_id" not in rows[0]._fields:
            for row in rows:
                slot = read(row)
                slots[slot.backfill_id].append(slot)
        else:  # one row per backfill at least, with its boundary flags
            for row in rows:
                flags[row.parent_id] = (bool(row.exists_up_to_after), bool(row.exists_from_before))
                if row.id is not None:  # else: the backfill's page is empty
                    slot = read(row)
                    slots[slot.backfill_id].append(slot)
    return [
        SlotPage(slots[backfill_id], *flags.get(backfill_id, (False, False)))
        for backfill_id in backfill_ids
    ]


async def _load_slot_counts(
    session: ReadSession, spec: slot_sql.SlotFilter, backfill_ids: Sequence[int]
) -> list[int]:
    rows = await _rows(session, *slot_sql.slot_counts(backfill_ids, spec))
    counts = {row["backfill_id"]: row["slot_count"] for row in rows}
    return [counts.get(backfill_id, 0) for backfill_id in backfill_ids]


async def _load_progress(session: ReadSession, backfill_ids: Sequence[int]) -> list[Progress]:
    rows = await _rows(session, *slot_sql.slot_progress(backfill_ids))
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


class Loaders:
    """The DataLoaders of one request; they cache within the request only.

    The load functions hold the session, never this object: a reference cycle
    through the loaders would keep every record of a response alive until the
    cyclic garbage collector runs, instead of freeing it when the request ends.
    """

    def __init__(self, session: ReadSession, orphan_cutoff: datetime) -> None:
        self._session = session

        def by_key(statement_for, record_for, key_column: str) -> DataLoader:
            return DataLoader(partial(_load_by_key, session, statement_for, record_for, key_column))

        self.backfill = by_key(
            backfill_sql.backfills_by_id, partial(BackfillRecord, orphan_cutoff=orphan_cutoff), "id"
        )
        self.dag_run = by_key(dag_run_sql.dag_runs_by_id, DagRunRecord, "dag_run_id")
        self.slot = by_key(slot_sql.slots_by_id, _slot_from_row, "id")
        self.dag = by_key(dag_sql.dags_by_id, DagRecord, "dag_id")
        self.progress: DataLoader[int, Progress] = DataLoader(partial(_load_progress, session))
        self._slot_pages: dict[SlotPageArgs, DataLoader[int, SlotPage]] = {}
        self._slot_counts: dict[slot_sql.SlotFilter, DataLoader[int, int]] = {}
        self._once: dict[Hashable, asyncio.Future] = {}

    async def rows(self, statement: Select, parameters: dict | None = None) -> Sequence[Any]:
        return await _rows(self._session, statement, parameters)

    async def rows_once(
        self, key: Hashable, statement: Callable[[], tuple[Select, dict]]
    ) -> Sequence[Any]:
        """Rows of a statement that is not per-parent (a listing, a count): sent at most
        once per request for the same key, however many fields ask for it."""
        future = self._once.get(key)
        if future is None:
            future = self._once[key] = asyncio.ensure_future(_rows(self._session, *statement()))
        return await asyncio.shield(future)

    def slot_page(self, args: SlotPageArgs) -> DataLoader[int, SlotPage]:
        loader = self._slot_pages.get(args)
        if loader is None:
            loader = self._slot_pages[args] = DataLoader(
                partial(_load_slot_pages, self._session, args)
            )
        return loader

    def slot_count(self, spec: slot_sql.SlotFilter) -> DataLoader[int, int]:
        loader = self._slot_counts.get(spec)
        if loader is None:
            loader = self._slot_counts[spec] = DataLoader(
                partial(_load_slot_counts, self._session, spec)
            )
        return loader

    def prime_backfills(self, records: Iterable[BackfillRecord]) -> None:
        """Backfills read by a listing need no second lookup by id."""
        self.backfill.prime_many({record.backfill_id: record for record in records})
