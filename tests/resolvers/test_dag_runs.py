"""`Backfill.dagRuns`'s page arguments are worked out once per page and request."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from backfill_gateway.db.airflow_schema import detect_airflow_schema
from backfill_gateway.db.engine import create_engine
from backfill_gateway.resolvers.context import RequestContext
from backfill_gateway.resolvers.dag_runs import SlotPageRequest, slot_page_args
from backfill_gateway.settings import Settings
from tests.conftest import FIXED_NOW

ONE_PAGE = """query Page($id: ID!) { backfill(id: $id) {
  dagRuns(first: 3) { totalCount edges { cursor node { sortOrdinal } } } } }"""
TWO_PAGES = """query Pages($id: ID!) { backfill(id: $id) {
  three: dagRuns(first: 3) { edges { cursor node { sortOrdinal } } }
  two: dagRuns(first: 2) { edges { cursor node { sortOrdinal } } } } }"""


@pytest.fixture
def windows(monkeypatch) -> Iterator[Counter[tuple[int, int | None]]]:
    """Page windows worked out, by (request context, `first`)."""
    counts: Counter[tuple[int, int | None]] = Counter()
    # Held so that no context's id is reused by the next request's (the twin's) context.
    contexts: list[RequestContext] = []
    page_window = RequestContext.page_window

    def counted(self, first, last, after, before, decode_cursor):
        contexts.append(self)
        counts[id(self), first] += 1
        return page_window(self, first, last, after, before, decode_cursor)

    monkeypatch.setattr(RequestContext, "page_window", counted)
    yield counts
    contexts.clear()


async def first_backfill_id(gateway) -> str:
    data = (await gateway.graphql("{ backfills(first: 1) { nodes { id } } }")).ok()
    return data["backfills"]["nodes"][0]["id"]


async def test_a_page_read_with_its_backfill_is_worked_out_once(gateway, windows):
    backfill_id = await first_backfill_id(gateway)
    windows.clear()
    data = (await gateway.graphql(ONE_PAGE, {"id": backfill_id})).ok()

    # `backfill(id:)` reads the page with the backfill and the `dagRuns` field asks for
    # it again: one window per request context (the fast path's, and the standard
    # executor's in the twin), not two.
    assert windows and set(windows.values()) == {1}
    total = data["backfill"]["dagRuns"]["totalCount"]
    assert len(data["backfill"]["dagRuns"]["edges"]) == min(3, total)


async def test_pages_of_other_arguments_are_each_their_own(gateway, windows):
    backfill_id = await first_backfill_id(gateway)
    windows.clear()
    data = (await gateway.graphql(TWO_PAGES, {"id": backfill_id})).ok()

    assert {first for _, first in windows} == {2, 3} and set(windows.values()) == {1}
    three, two = data["backfill"]["three"]["edges"], data["backfill"]["two"]["edges"]
    assert len(two) == min(2, len(three)) and two == three[: len(two)]


async def test_a_closed_context_keeps_no_page_arguments(demo_database):
    # A live subscription's context is closed and reused for every poll: the pages it
    # worked out go with its loaders, instead of piling up for the subscription's life.
    engine = create_engine(demo_database.url)
    try:
        context = RequestContext(
            settings=Settings(database_url=demo_database.url, tokens=""), engine=engine,
            now=FIXED_NOW, airflow=await detect_airflow_schema(engine),
        )  # fmt: skip
        request = SlotPageRequest(first=3)
        window, args = slot_page_args(context, 1, request)
        assert slot_page_args(context, 1, SlotPageRequest(first=3)) == (window, args)
        assert len(context.slot_page_args) == 1
        await context.close()
        assert context.slot_page_args == {}
    finally:
        await engine.dispose()
