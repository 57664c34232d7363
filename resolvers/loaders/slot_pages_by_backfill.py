"""`SlotPagesByBackfill`: one page of slots per backfill, for one set of page arguments."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from strawberry.dataloader import DataLoader

from backfill_gateway.db import slots as slot_sql
from backfill_gateway.db.airflow_schema import AirflowSchema
from backfill_gateway.db.dag_scope import DagScope
from backfill_gateway.db.keyset import AFTER_WINDOW_FLAG, BEFORE_WINDOW_FLAG, Seek
from backfill_gateway.db.session import ReadSession
from backfill_gateway.resolvers.records import SlotRecord, slot_reader


@dataclass(frozen=True, slots=True)
class SlotPageArgs:
    """Everything that shapes a page of slots; one statement per distinct value."""

    seek: Seek
    filter: slot_sql.SlotFilter
    run_attributes: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class SlotPage:
    """Up to `limit` slots of one backfill in fetch order, and the boundary flags."""

    slots: list[SlotRecord]
    exists_before_window: bool
    exists_after_window: bool


async def _load_slot_pages(
    session: ReadSession,
    args: SlotPageArgs,
    airflow: AirflowSchema,
    scope: DagScope | None,
    backfill_ids: Sequence[int],
) -> list[SlotPage]:
    page = slot_sql.slot_pages(
        backfill_ids, args.filter, args.seek, args.run_attributes, session.dialect_name,
        airflow=airflow, scope=scope,
    )
    rows = await session.all(page.statement, page.parameters)
    slots: dict[int, list[SlotRecord]] = {backfill_id: [] for backfill_id in backfill_ids}
    flags: dict[int, tuple[bool, bool]] = {}
    if rows:
        read = slot_reader(rows[0]._fields, slot_sql.RUN_PREFIX)
        if not page.has_boundary_flags:
            for row in rows:
                slot = read(row)
                slots[slot.backfill_id].append(slot)
        else:  # one row per backfill at least, with its boundary flags
            for row in rows:
                flags[row.parent_id] = (
                    bool(getattr(row, BEFORE_WINDOW_FLAG)),
                    bool(getattr(row, AFTER_WINDOW_FLAG)),
                )
                if row.id is not None:  # else: the backfill's page is empty
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
