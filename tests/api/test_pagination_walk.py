"""Property: walking any backfill's slots page by page, forwards or backwards, with
any page sizes, yields every slot (skipped ones included) exactly once and in order."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backfill_gateway.resolvers.global_ids import encode_global_id

FORWARD = """
query($id: ID!, $n: Int!, $after: String, $f: BackfillDagRunFilter) { backfill(id: $id) {
  dagRuns(first: $n, after: $after, filter: $f) {
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { backfillDagRunId isSkipped dagRun { dagRunId } } } } } }
"""
BACKWARD = """
query($id: ID!, $n: Int!, $before: String, $f: BackfillDagRunFilter) { backfill(id: $id) {
  dagRuns(last: $n, before: $before, filter: $f) {
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { backfillDagRunId isSkipped dagRun { dagRunId } } } } } }
"""
FILTERS = st.sampled_from(
    [None, {"isSkipped": True}, {"isSkipped": False}, {"states": ["SUCCESS", "FAILED"]}]
)
# Heavy: every walk on the newest schema; the forward walk on the oldest (3.0) as well.
pytestmark = pytest.mark.airflow_versions("3.3")
WALK = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def expected_slots(oracle, backfill_id: int, filter_) -> list[int]:
    filter_ = filter_ or {}
    states = filter_.get("states")
    slots = oracle.slots(
        backfill_id,
        states={s.lower() for s in states} if states else None,
        is_skipped=filter_.get("isSkipped"),
    )
    return [slot["id"] for slot in slots]


def check_edges(connection: dict, oracle) -> None:
    for edge in connection["edges"]:
        node = edge["node"]
        slot = next(s for s in oracle.dataset.backfill_dag_runs if s["id"] == node["backfillDagRunId"])
        assert node["isSkipped"] == (slot["exception_reason"] is not None)
        assert (node["dagRun"] or {}).get("dagRunId") == slot["dag_run_id"]
    if connection["edges"]:
        assert connection["pageInfo"]["startCursor"] == connection["edges"][0]["cursor"]
        assert connection["pageInfo"]["endCursor"] == connection["edges"][-1]["cursor"]


@pytest.mark.airflow_versions("3.0", "3.3")
@WALK
@given(data=st.data())
async def test_forward_walk_sees_every_slot_once_in_order(gateway, oracle, data):
    backfill_id = data.draw(st.sampled_from(sorted(oracle.slots_by_backfill)), label="backfill")
    filter_ = data.draw(FILTERS, label="filter")
    expected = expected_slots(oracle, backfill_id, filter_)
    seen, after, pages = [], None, 0
    while True:
        size = data.draw(st.integers(1, 100), label="page size")
        response = await gateway.graphql(
            FORWARD, {"id": encode_global_id("Backfill", backfill_id), "n": size, "after": after, "f": filter_}
        )
        connection = response.ok()["backfill"]["dagRuns"]
        check_edges(connection, oracle)
        ids = [edge["node"]["backfillDagRunId"] for edge in connection["edges"]]
        assert ids == expected[len(seen) : len(seen) + size]
        assert connection["pageInfo"]["hasPreviousPage"] == (len(seen) > 0)
        seen += ids
        assert connection["pageInfo"]["hasNextPage"] == (len(seen) < len(expected))
        pages += 1
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert seen == expected


@WALK
@given(data=st.data())
async def test_backward_walk_sees_every_slot_once_in_order(gateway, oracle, data):
    backfill_id = data.draw(st.sampled_from(sorted(oracle.slots_by_backfill)), label="backfill")
    filter_ = data.draw(FILTERS, label="filter")
    expected = expected_slots(oracle, backfill_id, filter_)
    seen: list[int] = []
    before = None
    while True:
        size = data.draw(st.integers(1, 100), label="page size")
        response = await gateway.graphql(
            BACKWARD, {"id": encode_global_id("Backfill", backfill_id), "n": size, "before": before, "f": filter_}
        )
        connection = response.ok()["backfill"]["dagRuns"]
        check_edges(connection, oracle)
        ids = [edge["node"]["backfillDagRunId"] for edge in connection["edges"]]
        remaining = len(expected) - len(seen)
        assert ids == expected[max(0, remaining - size) : remaining]
        assert connection["pageInfo"]["hasNextPage"] == (len(seen) > 0)
        seen = ids + seen
        assert connection["pageInfo"]["hasPreviousPage"] == (len(seen) < len(expected))
        if not connection["pageInfo"]["hasPreviousPage"]:
            break
        before = connection["pageInfo"]["startCursor"]
    assert seen == expected


@WALK
@given(data=st.data())
async def test_any_page_turns_back_exactly(gateway, oracle, data):
    """From any page, `last: n, before: startCursor` is the n slots before it."""
    backfill_id = data.draw(st.sampled_from(sorted(oracle.slots_by_backfill)), label="backfill")
    expected = expected_slots(oracle, backfill_id, None)
    skip = data.draw(st.integers(1, min(100, len(expected))), label="skip")
    gid = encode_global_id("Backfill", backfill_id)
    first = (await gateway.graphql(FORWARD, {"id": gid, "n": skip})).ok()["backfill"]["dagRuns"]
    end = first["pageInfo"]["endCursor"]
    size = data.draw(st.integers(1, 100), label="size")
    page = (await gateway.graphql(FORWARD, {"id": gid, "n": size, "after": end})).ok()["backfill"]["dagRuns"]
    back_size = data.draw(st.integers(1, 100), label="back size")
    start = page["pageInfo"]["startCursor"]
    if start is None:  # the page after the last slot is empty
        return
    back = (await gateway.graphql(BACKWARD, {"id": gid, "n": back_size, "before": start})).ok()
    ids = [e["node"]["backfillDagRunId"] for e in back["backfill"]["dagRuns"]["edges"]]
    assert ids == expected[max(0, skip - back_size) : skip]
    assert back["backfill"]["dagRuns"]["pageInfo"]["hasPreviousPage"] == (skip > back_size)
    assert back["backfill"]["dagRuns"]["pageInfo"]["hasNextPage"] is True
