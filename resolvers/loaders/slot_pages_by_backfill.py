"""`SlotPagesByBackfill`: one page of slots per backfill, for one set of page arguments."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from sqlalchemy.engine import Row
from strawberry.dataloader import DataLoader

from backfill_gateway.db import slots as slot_sql
from backfill_gateway.db.airflow_schema import AirflowSchema
from backfill_gateway.db.dag_scope import DagScope
from backfill_gateway.db.keyset import AFTER_WINDOW_FLAG, BEFORE_WINDOW_FLAG, Seek
from backfill_gateway.db.rows import fields_of
from backfill_gateway.db.session import ReadSession
from backfill_gateway.resolvers.records import SlotRecord, slot_reader


# Built per request: not frozen (ARCHITECTURE.md), hashed by value as a cache key.
@dataclass(slots=True, unsafe_hash=True)
class SlotPageArgs:
    """Everything that shapes a page of slots; one statement per distinct value."""

    seek: Seek
    filter: slot_sql.SlotFilter
    run_attributes: tuple[str, ...] | None = None


# Built per request: not frozen (ARCHITECTURE.md).
@dataclass(slots=True)
class SlotPage:
    """Up to `limit` slots of one backfill in fetch order, and the boundary flags."""

    slots: list[SlotRecord]
    exists_before_window: bool
    exists_after_window: bool


async def read_slot_pages(
    session: ReadSession,
    args: SlotPageArgs,
    airflow: AirflowSchema,
    scope: DagScope | None,
    backfill_ids: Sequence[int],
    with_backfills: bool = False,
    with_status: bool = True,
    backfill_columns: bool = True,
) -> tuple[Sequence[Row], list[SlotPage]]:
    """The rows of one slot-page statement for these backfills, and each one's page."""
    page = slot_sql.slot_pages(
        backfill_ids, args.filter, args.seek, args.run_attributes, session.dialect_name,
        airflow=airflow, scope=scope, with_backfills=with_backfills, with_status=with_status,
        backfill_columns=backfill_columns,
    )
    rows = await session.all(page.statement, page.parameters)
    return rows, slot_pages_of(
        rows, backfill_ids, page.has_boundary_flags,
        partial(slot_reader, run_prefix=slot_sql.RUN_PREFIX),
    )  # fmt: skip


async def _load_slot_pages(session, args, airflow, scope, backfill_ids) -> list[SlotPage]:
    _, pages = await read_slot_pages(session, args, airflow, scope, backfill_ids)
    return pages


def slot_pages_of(
    rows: Sequence[Row],
    backfill_ids: Sequence[int],
    has_boundary_flags: bool,
    reader: Callable[[tuple[str, ...]], Callable[[Row], SlotRecord]],
) -> list[SlotPage]:
    """Each backfill's page from a slot-page statement's rows (Airflow 3's and 2's, read
    by `reader(column names)`): with boundary flags, one row per backfill at least,
    carrying its flags (and no slot when its page is empty)."""
    slots: dict[int, list[SlotRecord]] = {backfill_id: [] for backfill_id in backfill_ids}
    flags: dict[int, tuple[bool, bool]] = {}
    if rows:
        fields = fields_of(rows[0])
        read = reader(fields)
        if not has_boundary_flags:
            for row in rows:
                slot = read(row)
                slots[slot.backfill_id].append(slot)
        else:
            # By position: reading a Row's columns by name took a fifth of a 1,000-slot
            # response's CPU (callgrind: Q2 80M -> 64M instructions).
            parent, slot_id = fields.index("parent_id"), fields.index("id")
            before, after = fields.index(BEFORE_WINDOW_FLAG), fields.index(AFTER_WINDOW_FLAG)
            for row in rows:
                flags[row[parent]] = (bool(row[before]), bool(row[after]))
                if row[slot_id] is not None:  # else: the backfill's page is empty
                    slot = read(row)
                    slots[slot.backfill_id].append(slot)
    return [
        SlotPage(slots[backfill_id], *flags.get(backfill_id, (False, False)))
        for backfill_id in backfill_ids
    ]


class SlotPagesByBackfill(DataLoader[int, SlotPage]):
    """A page of a backfill's slots by backfill id; one loader per distinct `SlotPageArgs`,
    so every backfill of a response asking the same page shares one statement."""

    def __init__(
        self,
        session: ReadSession,
        args: SlotPageArgs,
        airflow: AirflowSchema,
        scope: DagScope | None = None,
    ) -> None:
        super().__init__(partial(_load_slot_pages, session, args, airflow, scope))
