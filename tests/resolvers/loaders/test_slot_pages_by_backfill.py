from collections import defaultdict

from backfill_gateway.db.keyset import Seek
from backfill_gateway.db.slots import SlotFilter
from backfill_gateway.resolvers.loaders import SlotPageArgs, SlotPagesByBackfill
from tests.resolvers.loaders.conftest import MISSING_ID


def slots_in_order(dataset) -> dict[int, list[dict]]:
    slots = defaultdict(list)
    for slot in sorted(dataset.backfill_dag_runs, key=lambda s: (s["sort_ordinal"], s["id"])):
        slots[slot["backfill_id"]].append(slot)
    return slots


def ids(page) -> list[int]:
    return [slot.backfill_dag_run_id for slot in page.slots]


async def test_first_pages_of_many_backfills_in_one_statement_null_runs_kept(session, dataset, airflow):
    expected = slots_in_order(dataset)
    keys = [*sorted(expected), MISSING_ID]
    loader = SlotPagesByBackfill(session, SlotPageArgs(Seek(limit=2000), SlotFilter()), airflow)
    pages = await loader.load_many(keys)
    assert len(session.sent) == 1
    for key, page in zip(keys, pages, strict=True):
        assert ids(page) == [s["id"] for s in expected.get(key, [])]
        assert (page.exists_before_window, page.exists_after_window) == (False, False)
        for slot, row in zip(page.slots, expected.get(key, []), strict=True):
            assert (slot.dag_run is None) == (row["dag_run_id"] is None)
    assert any(slot.dag_run is None for page in pages for slot in page.slots)


async def test_pages_after_a_cursor_carry_boundary_flags_and_empty_pages(session, dataset, airflow):
    expected = slots_in_order(dataset)
    big = [key for key, slots in expected.items() if len(slots) >= 6][:3]
    first = {key: expected[key][2] for key in big}
    # One cursor per statement: the page arguments are the loader's, shared by all keys.
    key = big[0]
    after = (first[key]["sort_ordinal"], first[key]["id"])
    args = SlotPageArgs(Seek(limit=3, after=after), SlotFilter())
    pages = await SlotPagesByBackfill(session, args, airflow).load_many([*big, MISSING_ID])
    assert len(session.sent) == 1
    page = pages[0]
    assert ids(page) == [s["id"] for s in expected[key][3:6]]
    assert (page.exists_before_window, page.exists_after_window) == (True, False)
    assert (ids(pages[-1]), pages[-1].exists_before_window) == ([], False)


async def test_last_page_from_the_end_comes_in_fetch_order(session, dataset, airflow):
    expected = slots_in_order(dataset)
    key = next(key for key, slots in expected.items() if len(slots) >= 5)
    args = SlotPageArgs(Seek(limit=2, from_end=True), SlotFilter())
    (page,) = await SlotPagesByBackfill(session, args, airflow).load_many([key])
    # Fetched from the end: newest first; the resolver puts pages back in order.
    assert ids(page) == [s["id"] for s in reversed(expected[key][-2:])]
