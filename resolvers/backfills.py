"""`Query.backfills`: a filtered, ordered keyset listing of backfills, and its count."""

from __future__ import annotations

from functools import partial
from typing import Any

from backfill_gateway.db import backfills as backfill_sql
from backfill_gateway.db.backfill_nodes import JsonField, piece_count, written_backfill_page
from backfill_gateway.db.keyset import AFTER_WINDOW_FLAG, BEFORE_WINDOW_FLAG
from backfill_gateway.resolvers.airflow2.backfills import LISTING as airflow2_listing
from backfill_gateway.resolvers.context import RequestContext
from backfill_gateway.resolvers.cursors import BACKFILL_CURSORS
from backfill_gateway.resolvers.dag_runs import SlotPageRequest, slot_page_args
from backfill_gateway.resolvers.errors import BadUserInput
from backfill_gateway.resolvers.global_ids import BACKFILL, decode_global_id_of
from backfill_gateway.resolvers.pagination import Connection, cut_page
from backfill_gateway.resolvers.records import BackfillRecord, SerializedBackfill

ORDER_FIELDS = {"ID": "id", "CREATED_AT": "created_at"}


def backfill_cursor(record: BackfillRecord, order_field: str) -> str:
    value = record.backfill_id if order_field == "id" else getattr(record, order_field)
    return BACKFILL_CURSORS[order_field].encode((order_field,), (value, record.backfill_id))


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


def _listing(context: RequestContext, with_status: bool = True):
    """(page statement, count statement, record type) for the database's Airflow version;
    `with_status=False` leaves Airflow 3's status probes out (records without status)."""
    scope = context.caller.dag_scope  # only backfills of the caller's DAGs, in SQL
    if context.is_airflow2:  # the job's state decides the status: nothing to leave out
        page, count, record = airflow2_listing
        return partial(page, scope=scope), partial(count, scope=scope), record
    page = partial(backfill_sql.backfill_page, scope=scope, with_status=with_status)
    return page, partial(backfill_sql.count_backfills, scope=scope), BackfillRecord


def _seek_key(order_field: str, key: tuple) -> tuple:
    """A cursor's key as the listing's sort columns: (id,) or (created_at, id)."""
    return key[1:] if order_field == "id" else key


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
    with_status: bool = True,
    written_nodes: tuple[JsonField, ...] | None = None,
) -> Connection[BackfillRecord] | Connection[SerializedBackfill]:
    """A page of backfills; without `with_status` their status is not read (None).
    `written_nodes`: the nodes' fields, when the executor takes nodes PostgreSQL wrote
    (context.written_nodes) and the request selects nothing else of them."""
    spec = backfill_filter_spec(filter_input)
    cursor = BACKFILL_CURSORS[order_field]
    window = context.page_window(
        first, last, after, before,
        lambda value, argument: cursor.decode(value, argument, (order_field,)),
    )  # fmt: skip
    seek = window.seek(partial(_seek_key, order_field), descending=descending)
    if written_nodes is not None and _writes_nodes(context):
        page = written_backfill_page(
            spec, order_field, seek, context.orphan_cutoff, context.airflow, written_nodes,
            context.caller.dag_scope,
        )
        rows = await context.loaders.memoized_rows(
            ("written_backfill_page", spec, order_field, seek, written_nodes),
            lambda: (page.statement, page.parameters),
        )
        nodes = SerializedBackfill.from_rows(rows, piece_count(written_nodes))
        if nodes is not None:
            return _connection(context, nodes, rows, page, window, spec, order_field)
        # A node the database could not write: read the page the usual way, which reports it.
    page_statement, _, record_type = _listing(context, with_status)
    page = page_statement(spec, order_field, seek, context.orphan_cutoff, context.airflow)
    rows = await context.loaders.memoized_rows(
        ("backfill_page", spec, order_field, seek, with_status),
        lambda: (page.statement, page.parameters),
    )
    records = record_type.from_rows(rows, context.orphan_cutoff)
    context.loaders.prime_backfills(records)
    return _connection(context, records, rows, page, window, spec, order_field)


def _writes_nodes(context: RequestContext) -> bool:
    """Whether this request's listings may hand over nodes PostgreSQL wrote."""
    return (
        context.written_nodes
        and not context.is_airflow2
        and context.engine.dialect.name == "postgresql"
    )


def _connection(context, nodes, rows, page, window, spec, order_field) -> Connection:
    # Then the first row carries the flags, page empty or not.
    flags = rows[0]._mapping if page.has_boundary_flags else {}
    cursor_of = partial(backfill_cursor, order_field=order_field)
    nodes, page_info = cut_page(
        nodes,
        window,
        exists_before_window=bool(flags.get(BEFORE_WINDOW_FLAG)),
        exists_after_window=bool(flags.get(AFTER_WINDOW_FLAG)),
        cursor_of=cursor_of,
    )
    return Connection(nodes, page_info, cursor_of, partial(count_backfills, context, spec))


async def count_backfills(context: RequestContext, spec: backfill_sql.BackfillFilter) -> int:
    _, count_statement, _ = _listing(context)
    rows = await context.loaders.memoized_rows(
        ("backfill_count", spec),
        lambda: count_statement(spec, context.orphan_cutoff),
    )
    return rows[0]._mapping["backfill_count"]


async def get_backfill(
    context: RequestContext,
    global_id: str,
    dag_runs: SlotPageRequest | None = None,
    with_status: bool = True,
    backfill_columns: bool = True,
    batched: bool = True,
) -> BackfillRecord | None:
    """A backfill by global id; with `dag_runs` (the page its `dagRuns` field will ask
    for), the backfill and that page are read in one statement, its status probes only
    `with_status` (a record without status is shared as a listing's is), its columns only
    with `backfill_columns` (else a BackfillIdOnly: the request selects none), and not
    `batched` when no other lookup of the request can share that statement
    (`Loaders.backfill_with_slot_page`)."""
    backfill_id = decode_global_id_of(global_id, BACKFILL)
    if dag_runs is not None:
        try:
            _, args = slot_page_args(context, backfill_id, dag_runs)
        except BadUserInput:
            pass  # the `dagRuns` field reports it, at its own path
        else:
            return await context.loaders.backfill_with_slot_page(
                backfill_id, args, with_status, backfill_columns, batched=batched
            )
    return await context.loaders.backfill_by_id.load(backfill_id)
