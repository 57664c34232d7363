"""BackfillWithSlotPageById reads what BackfillById and SlotPagesByBackfill read, in one
statement: the same records, the same pages and boundary flags, skipped slots kept."""

from __future__ import annotations

import pytest

from backfill_gateway.db.dag_scope import DagScope
from backfill_gateway.db.keyset import Seek
from backfill_gateway.db.slots import SlotFilter
from backfill_gateway.resolvers.loaders import (
    BackfillById,
    BackfillWithSlotPageById,
    SlotPageArgs,
    SlotPagesByBackfill,
)
from backfill_gateway.resolvers.records import BackfillRecord
from tests.resolvers.loaders.conftest import MISSING_ID, ORPHAN_CUTOFF
from tests.resolvers.loaders.test_slot_pages_by_backfill import slots_in_order


def backfill_values(record: BackfillRecord | None):
    if record is None:
        return None
    return tuple(getattr(record, name) for name in BackfillRecord.__slots__)


def page_values(page):
    """Everything a page gives the schema: flags, slots, each slot's run (None if skipped)."""
    slots = [
        (
            tuple(getattr(slot, name) for name in slot.__slots__ if name != "dag_run"),
            None if slot.dag_run is None else tuple(
                getattr(slot.dag_run, name, "<not read>") for name in slot.dag_run.__slots__
            ),
        )
        for slot in page.slots
    ]  # fmt: skip
    return page.exists_before_window, page.exists_after_window, slots


def page_arguments(dataset) -> list[SlotPageArgs]:
    """First pages, pages after and before a cursor, from the end, filtered, few run columns."""
    slots = slots_in_order(dataset)
    key = next(key for key, rows in sorted(slots.items()) if len(rows) >= 8)
    third, sixth = slots[key][2], slots[key][5]
    after, before = (third["sort_ordinal"], third["id"]), (sixth["sort_ordinal"], sixth["id"])
    return [
        SlotPageArgs(Seek(limit=3), SlotFilter()),
        SlotPageArgs(Seek(limit=3), SlotFilter(), ("dag_run_id", "run_id", "state")),
        SlotPageArgs(Seek(limit=4, after=after), SlotFilter()),
        SlotPageArgs(Seek(limit=4, after=after, before=before), SlotFilter()),
        SlotPageArgs(Seek(limit=2, from_end=True, before=before), SlotFilter()),
        SlotPageArgs(Seek(limit=5), SlotFilter(states=("success",))),
        SlotPageArgs(Seek(limit=5), SlotFilter(is_skipped=True)),
    ]


@pytest.mark.parametrize("case", range(7))
async def test_same_backfills_and_pages_as_the_two_loaders_in_one_statement(
    session, dataset, airflow, case
):
    args = page_arguments(dataset)[case]
    keys = [*sorted({row["id"] for row in dataset.backfills}), MISSING_ID]
    pairs = await BackfillWithSlotPageById(
        session, args, ORPHAN_CUTOFF, airflow
    ).load_many(keys)
    assert len(session.sent) == 1
    backfills = await BackfillById(session, ORPHAN_CUTOFF, airflow).load_many(keys)
    pages = await SlotPagesByBackfill(session, args, airflow).load_many(keys)
    assert [backfill_values(b) for b, _ in pairs] == [backfill_values(b) for b in backfills]
    for (backfill, page), expected in zip(pairs, pages, strict=True):
        if backfill is not None:
            assert page_values(page) == page_values(expected)
    # The demo data has skipped slots (no run) and backfills without slots (empty pages).
    if case == 0:
        assert any(slot.dag_run is None for _, page in pairs for slot in page.slots)
        assert any(b is not None and not page.slots for b, page in pairs)
    assert pairs[-1][0] is None  # MISSING_ID


async def test_backfills_outside_the_scope_are_none_like_unknown_ids(session, dataset, airflow):
    dag_id = dataset.backfills[0]["dag_id"]
    scope = DagScope(dag_ids=(dag_id,))
    keys = sorted({row["id"] for row in dataset.backfills})
    args = SlotPageArgs(Seek(limit=3), SlotFilter())
    pairs = await BackfillWithSlotPageById(
        session, args, ORPHAN_CUTOFF, airflow, scope
    ).load_many(keys)
    expected = await BackfillById(session, ORPHAN_CUTOFF, airflow, scope).load_many(keys)
    assert [backfill_values(b) for b, _ in pairs] == [backfill_values(b) for b in expected]
    assert {b.dag_id for b, _ in pairs if b is not None} == {dag_id}
    assert any(b is None for b, _ in pairs)


async def test_the_backfill_columns_come_once_per_backfill(session, dataset, airflow):
    """On the first row of each page only: the other rows' are NULL (not sent again)."""
    from backfill_gateway.db.slots import PARENT_PREFIX, slot_pages

    keys = sorted({row["id"] for row in dataset.backfills})
    for seek in (Seek(limit=4), Seek(limit=4, from_end=True)):
        page = slot_pages(
            keys, SlotFilter(), seek, None, session.dialect_name, airflow=airflow,
            with_backfills=True,
        )  # fmt: skip
        rows = [row._mapping for row in await session.all(page.statement, page.parameters)]
        assert len(rows) > len(keys)  # pages of several slots
        first_rows = {}
        for row in rows:
            first_rows.setdefault(row["parent_id"], row)
        for row in rows:
            carries = row[PARENT_PREFIX + "created_at"] is not None
            assert carries == (row is first_rows[row["parent_id"]])
