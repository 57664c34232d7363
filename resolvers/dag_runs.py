"""`Backfill.dagRuns`: a backfill's slots as a cursor connection, skipped slots included."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from backfill_gateway.db.slots import SlotFilter
from backfill_gateway.resolvers.context import RequestContext
from backfill_gateway.resolvers.cursors import SLOT_CURSOR
from backfill_gateway.resolvers.loaders import SlotPageArgs
from backfill_gateway.resolvers.pagination import Connection, PageWindow, cut_page
from backfill_gateway.resolvers.records import SlotRecord


def slot_cursor(slot: SlotRecord) -> str:
    return SLOT_CURSOR.encode((slot.backfill_id,), (slot.sort_ordinal, slot.backfill_dag_run_id))


def slot_filter_spec(filter_input: Any) -> SlotFilter:
    """The data-layer filter for a `BackfillDagRunFilter` input (or None)."""
    if filter_input is None:
        return SlotFilter()
    states = filter_input.states
    return SlotFilter(
        states=tuple(sorted({state.value for state in states})) if states is not None else None,
        is_skipped=filter_input.is_skipped,
    )


def _seek_key(key: tuple[int, int]) -> tuple[int, int]:
    return key  # (sort_ordinal, slot id): the slot order's columns


# Built per request: not frozen (ARCHITECTURE.md).
@dataclass(slots=True)
class SlotPageRequest:
    """The arguments of a `dagRuns` field, and the dag run columns its selection needs
    (all when None)."""

    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None
    filter_input: Any = None
    run_attributes: tuple[str, ...] | None = None


def slot_page_args(
    context: RequestContext, backfill_id: int, request: SlotPageRequest
) -> tuple[PageWindow, SlotPageArgs]:
    """The page window and loader arguments of a request; BadUserInput for a bad one."""
    # Asked twice for the same page in most requests: by `backfill(id:)`, which reads
    # the page with the backfill, and by the `dagRuns` field. A filter input is an
    # input object (not hashable): never kept.
    key = None
    if request.filter_input is None:
        key = (backfill_id, request.first, request.after, request.last, request.before,
               request.run_attributes)  # fmt: skip
        known = context.slot_page_args.get(key)
        if known is not None:
            return known
    window = context.page_window(
        request.first, request.last, request.after, request.before,
        lambda cursor, argument: SLOT_CURSOR.decode(cursor, argument, (backfill_id,)),
    )  # fmt: skip
    spec = slot_filter_spec(request.filter_input)
    args = window, SlotPageArgs(window.seek(_seek_key), spec, request.run_attributes)
    if key is not None:
        context.slot_page_args[key] = args
    return args


async def backfill_dag_runs(
    context: RequestContext, backfill_id: int, request: SlotPageRequest
) -> Connection[SlotRecord]:
    """A page of a backfill's slots (`request.run_attributes`: the dag run columns fetched)."""
    window, args = slot_page_args(context, backfill_id, request)
    page = await context.loaders.slot_page(args, backfill_id)
    nodes, page_info = cut_page(
        page.slots,
        window,
        exists_before_window=page.exists_before_window,
        exists_after_window=page.exists_after_window,
        cursor_of=slot_cursor,
    )
    count = context.loaders.slot_count_by_backfill(args.filter).load
    return Connection(nodes, page_info, slot_cursor, partial(count, backfill_id))
