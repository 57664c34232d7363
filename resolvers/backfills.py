"""`Query.backfill` and `Query.backfills`, and the fields of a Backfill that need data."""

from __future__ import annotations

from typing import Any

from backfill_gateway.db import backfills as backfill_sql
from backfill_gateway.db.keyset import AFTER_WINDOW_FLAG, BEFORE_WINDOW_FLAG
from backfill_gateway.resolvers.context import RequestContext
from backfill_gateway.resolvers.cursors import (
    BackfillKey,
    decode_backfill_cursor,
    encode_backfill_cursor,
)
from backfill_gateway.resolvers.global_ids import BACKFILL, decode_global_id_of
from backfill_gateway.resolvers.loaders import Progress
from backfill_gateway.resolvers.pagination import PageInfo, cut_page
from backfill_gateway.resolvers.records import BackfillRecord, DagRecord

ORDER_FIELDS = {"ID": "id", "CREATED_AT": "created_at"}


class BackfillEdge:
    __slots__ = ("node", "order_field")

    def __init__(self, node: BackfillRecord, order_field: str) -> None:
        self.node = node
        self.order_field = order_field

    @property
    def cursor(self) -> str:
        return backfill_cursor(self.node, self.order_field)


class BackfillConnection:
    __slots__ = ("nodes", "page_info", "filter", "order_field")

    def __init__(
        self,
        nodes: list[BackfillRecord],
        page_info: PageInfo,
        spec: backfill_sql.BackfillFilter,
        order_field: str,
    ) -> None:
        self.nodes = nodes
        self.page_info = page_info
        self.filter = spec
        self.order_field = order_field

    @property
    def edges(self) -> list[BackfillEdge]:
        return [BackfillEdge(node, self.order_field) for node in self.nodes]


def backfill_cursor(record: BackfillRecord, order_field: str) -> str:
    value = record.backfill_id if order_field == "id" else getattr(record, order_field)
    return encode_backfill_cursor(order_field, value, record.backfill_id)


def backfill_filter_spec(filter_input: Any) -> backfill_sql.BackfillFilter:
    if filter_input is None:
        return backfill_sql.BackfillFilter()

    def distinct(values, convert=lambda v: v):
        return tuple(sorted({convert(v) for v in values})) if values is not None else None

    return backfill_sql.BackfillFilter(
        dag_ids=distinct(filter_input.dag_ids),
        backfill_ids=distinct(filter_input.backfill_ids),
        statuses=distinct(filter_input.statuses, lambda status: status.value),
        created_after=filter_input.created_after,
        created_before=filter_input.created_before,
    )


def _seek_key(key: BackfillKey) -> tuple:
    return (key.backfill_id,) if key.order_field == "id" else (key.value, key.backfill_id)


async def list_backfills(
    context: RequestContext,
    *,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    filter_input: Any,
    order_field: str,
    descending: bool,
) -> BackfillConnection:
    spec = backfill_filter_spec(filter_input)
    window = context.page_window(
        first, last, after, before,
        lambda cursor, argument: decode_backfill_cursor(cursor, order_field=order_field, argument=argument),
    )  # fmt: skip
    seek = window.seek(_seek_key, descending=descending)
    page = backfill_sql.backfill_page(spec, order_field, seek, context.orphan_cutoff)
    rows = await context.loaders.memoized_rows(
        ("backfill_page", spec, order_field, seek), lambda: (page.statement, page.parameters)
    )
    records = [
        BackfillRecord(row, context.orphan_cutoff) for row in rows if row["id"] is not None
    ]
    context.loaders.prime_backfills(records)
    flagged = page.has_boundary_flags  # then the first row carries the flags, page empty or not
    nodes, page_info = cut_page(
        records,
        window,
        exists_before_window=flagged and bool(rows[0][BEFORE_WINDOW_FLAG]),
        exists_after_window=flagged and bool(rows[0][AFTER_WINDOW_FLAG]),
        cursor_of=lambda record: backfill_cursor(record, order_field),
    )
    return BackfillConnection(nodes, page_info, spec, order_field)


async def count_backfills(context: RequestContext, connection: BackfillConnection) -> int:
    rows = await context.loaders.memoized_rows(
        ("backfill_count", connection.filter),
        lambda: backfill_sql.count_backfills(connection.filter, context.orphan_cutoff),
    )
    return rows[0]["backfill_count"]


async def get_backfill(context: RequestContext, global_id: str) -> BackfillRecord | None:
    backfill_id = decode_global_id_of(global_id, BACKFILL)
    return await context.loaders.backfill_by_id.load(backfill_id)


async def backfill_by_id(context: RequestContext, backfill_id: int | None) -> BackfillRecord | None:
    if backfill_id is None:
        return None
    return await context.loaders.backfill_by_id.load(backfill_id)


async def backfill_progress(context: RequestContext, backfill_id: int) -> Progress:
    return await context.loaders.progress_by_backfill.load(backfill_id)


async def backfill_dag(context: RequestContext, dag_id: str) -> DagRecord | None:
    return await context.loaders.dag_by_dag_id.load(dag_id)
