"""`Subscription.backfillUpdates`: the current state of each matching backfill, then its changes.

The subscription runs once per group of identical subscriptions (web/live/): its context
is a `LiveContext` whose `feed` says which backfills changed since the last batch. Each
batch re-reads only those (one statement, filter and DAG scope applied in SQL) and yields
them one by one; the batch's events share one set of DataLoaders, fresh per batch.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncEngine

from backfill_gateway.db.errors import DatabaseUnavailable
from backfill_gateway.db.keyset import Seek
from backfill_gateway.db.session import ReadSession
from backfill_gateway.resolvers.backfills import _listing, backfill_filter_spec
from backfill_gateway.resolvers.context import RequestContext
from backfill_gateway.resolvers.records import BackfillRecord

# Most backfills one batch re-reads (the initial state of an unfiltered subscription).
MAX_BACKFILLS_PER_BATCH = 10_000


class Everything:
    """A change batch meaning "re-read every matching backfill" (start, recovery)."""

    def __repr__(self) -> str:
        return "EVERYTHING"


EVERYTHING = Everything()
ChangeBatch = frozenset[int] | Everything


class ChangeFeed(Protocol):
    async def next_batch(self) -> ChangeBatch:
        """Waits for the next backfills that changed (or EVERYTHING)."""
        ...

    def event_for(self, backfill_id: int) -> None:
        """The next event is about this backfill."""
        ...

    def read_done(self, gone: Iterable[int]) -> None:
        """A re-read succeeded; the backfills `gone` no longer match (or exist)."""
        ...

    def read_failed(self, error: DatabaseUnavailable) -> None:
        """Re-reading failed: the database is unavailable."""
        ...


@dataclass
class LiveContext(RequestContext):
    """A subscription group's context: renewed (clock, connection, loaders) every batch."""

    feed: ChangeFeed | None = None
    clock: Any = None
    known: set[int] = field(default_factory=set)
    # The read engines for each batch, asked anew (replicas come and go); None: read_engines.
    order_reads: Callable[[], Sequence[AsyncEngine]] | None = None

    async def renew(self) -> None:
        await self.close()
        engines = self.order_reads() if self.order_reads is not None else None
        self.session = ReadSession(engines or self.read_engines or (self.engine,))
        if self.clock is not None:
            self.now = self.clock()


async def matching_backfills(
    context: RequestContext, filter_input: Any, only: frozenset[int] | None
) -> list[BackfillRecord]:
    """The backfills matching the subscription's filter and the caller's scope, by id; with
    `only`, just those of these ids (one statement, none when nothing can match)."""
    spec = backfill_filter_spec(filter_input)
    if only is not None:
        ids = only if spec.backfill_ids is None else only & set(spec.backfill_ids)
        if not ids:
            return []
        spec = replace(spec, backfill_ids=tuple(sorted(ids)))
    page_statement, _, record_type = _listing(context)
    page = page_statement(
        spec, "id", Seek(limit=MAX_BACKFILLS_PER_BATCH), context.orphan_cutoff, context.airflow
    )
    rows = await context.session.all(page.statement, page.parameters)
    records = record_type.from_rows(rows, context.orphan_cutoff)
    context.loaders.prime_backfills(records)
    return records


async def backfill_updates(context: LiveContext, filter_input: Any) -> AsyncIterator[BackfillRecord]:
    feed = context.feed
    assert feed is not None, "backfillUpdates runs in a subscription group (web/live)"
    batch: ChangeBatch = EVERYTHING
    while True:
        await context.renew()
        only = None if isinstance(batch, Everything) else batch
        try:
            records = await matching_backfills(context, filter_input, only)
        except DatabaseUnavailable as error:
            feed.read_failed(error)
            records = None
        if records is not None:
            found = {record.backfill_id for record in records}
            feed.read_done((context.known if only is None else only) - found)
            context.known = (found if only is None else (context.known - only) | found)
            for record in records:
                feed.event_for(record.backfill_id)
                yield record
        await context.close()
        batch = await feed.next_batch()
