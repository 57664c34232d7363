"""`Backfill.dagRuns`: a backfill's slots as a cursor connection, skipped slots included."""

from __future__ import annotations

from typing import Any

from backfill_gateway.db.slots import SlotFilter
from backfill_gateway.resolvers.context import RequestContext
from backfill_gateway.resolvers.cursors import SlotKey, decode_slot_cursor, encode_slot_cursor
from backfill_gateway.resolvers.loaders import SlotPageArgs
from backfill_gateway.resolvers.pagination import PageInfo, cut_page
from backfill_gateway.resolvers.records import SlotRecord


def slot_cursor(slot: SlotRecord) -> str:
    return encode_slot_cursor(slot.backfill_id, slot.sort_ordinal, slot.backfill_dag_run_id)


class SlotEdge:
    __slots__ = ("node",)

    def __init__(self, node: SlotRecord) -> None:
        self.node = node

    @property
    def cursor(self) -> str:
        return slot_cursor(self.node)


class SlotConnection:
    __slots__ = ("nodes", "page_info", "backfill_id", "filter")

    def __init__(
        self, nodes: list[SlotRecord], page_info: PageInfo, backfill_id: int, spec: SlotFilter
    ) -> None:
        self.nodes = nodes
        self.page_info = page_info
        self.backfill_id = backfill_id
        self.filter = spec

    @property
    def edges(self) -> list[SlotEdge]:
        return [SlotEdge(node) for node in self.nodes]


def slot_filter_spec(filter_input: Any) -> SlotFilter:
    """The data-layer filter for a `BackfillDagRunFilter` input (or None)."""
    if filter_input is None:
        return SlotFilter()
    states = filter_input.states
    return SlotFilter(
        states=tuple(sorted({state.value for state in states})) if states is not None else None,
        is_skipped=filter_input.is_skipped,
    )


def _seek_key(key: SlotKey) -> tuple[int, int]:
    return (key.sort_ordinal, key.slot_id)


async def backfill_dag_runs(
    context: RequestContext,
    backfill_id: int,
    *,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    filter_input: Any,
    run_columns: tuple[str, ...] | None = None,
) -> SlotConnection:
    """A page of a backfill's slots; `run_columns` limits the dag run columns fetched."""
    spec = slot_filter_spec(filter_input)
    window = context.page_window(
        first, last, after, before,
        lambda cursor, argument: decode_slot_cursor(cursor, backfill_id=backfill_id, argument=argument),
    )  # fmt: skip
    args = SlotPageArgs(window.seek(_seek_key), spec, run_columns)
    page = await context.loaders.slot_pages_by_backfill(args).load(backfill_id)
    nodes, page_info = cut_page(
        page.slots,
        window,
        exists_before_window=page.exists_before_window,
        exists_after_window=page.exists_after_window,
        cursor_of=slot_cursor,
    )
    return SlotConnection(nodes, page_info, backfill_id, spec)


async def total_count(context: RequestContext, connection: SlotConnection) -> int:
    return await context.loaders.slot_count_by_backfill(connection.filter).load(connection.backfill_id)
