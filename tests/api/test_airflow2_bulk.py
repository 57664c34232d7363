"""Many Airflow 2 BackfillJobs: constant statement counts, and hypothesis page walks over
their slots (runs created and taken over), on SQLite and PostgreSQL with Airflow's 2.11 DDL."""

from __future__ import annotations

from contextlib import AsyncExitStack

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backfill_gateway.resolvers.global_ids import encode_global_id
from tests.api.test_airflow2_backfills import AIRFLOW2_BACKENDS
from tests.api.test_pagination_walk import BACKWARD, FORWARD
from tests.api.test_statement_counts import FULL_QUERY, FULL_QUERY_WITH_TASKS, data_statements
from tests.conftest import FIXED_NOW, _enter_database, gateway_client
from tests.support.airflow2 import create_airflow2_schema
from tests.support.airflow2_bulk import MAPPED_STATE, load_many_jobs

JOBS, RUNS_EACH = 120, 25
WALK = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FILTERS = st.sampled_from(
    [None, {"isSkipped": True}, {"isSkipped": False}, {"states": ["SUCCESS", "FAILED"]},
     {"states": ["RUNNING", "QUEUED"]}]
)  # fmt: skip


@pytest.fixture(scope="module", params=AIRFLOW2_BACKENDS)
async def many2(request, tmp_path_factory):
    async with AsyncExitStack() as stack:
        database = await _enter_database(request.param, tmp_path_factory, stack)
        engine = await create_airflow2_schema(database.url)
        slots, states = await load_many_jobs(engine, FIXED_NOW, jobs=JOBS, runs_each=RUNS_EACH)
        await engine.dispose()
        client = gateway_client(database.url, max_page_size=JOBS)
        client.slots, client.states = slots, states
        yield client
        await client.close()


@pytest.mark.parametrize("n", [5, 50, 120])
async def test_full_nested_query_costs_four_statements_whatever_the_size(many2, n):
    response = await many2.graphql(FULL_QUERY, {"n": n})
    nodes = response.ok()["backfills"]["nodes"]
    assert len(nodes) == n
    for node in nodes:
        expected = many2.slots[node["backfillId"]]
        assert node["dagRuns"]["totalCount"] == len(expected)
        assert [e["node"]["dagRunId"] for e in node["dagRuns"]["edges"]] == expected[:20]
        assert node["progress"]["slotCount"] == len(expected)
    # the backfill page, the slot pages, the slot counts, the progress counts: as on Airflow 3
    assert len(response.statements) == 4, response.statements
    assert response.statements == data_statements(response.statements)


async def test_one_backfill_by_id_with_a_page_is_two_statements(many2):
    query = """query($id: ID!, $after: String) { backfill(id: $id) { dagId dagRuns(first: 10, after: $after) {
      pageInfo { hasNextPage hasPreviousPage endCursor } nodes { sortOrdinal dagRun { runId state } } } } }"""
    gid = encode_global_id("Backfill", 8)
    first = await many2.graphql(query, {"id": gid})
    end = first.ok()["backfill"]["dagRuns"]["pageInfo"]["endCursor"]
    assert len(first.statements) == 2
    deep = await many2.graphql(query, {"id": gid, "after": end})
    assert deep.ok()["backfill"]["dagRuns"]["pageInfo"]["hasPreviousPage"] is True
    assert len(deep.statements) == 2


async def test_nested_lookups_batch_across_the_response(many2):
    response = await many2.graphql(
        "{ backfills(first: 100) { totalCount nodes { dag { dagId } dagRuns(first: 5) { nodes { "
        "backfill { backfillId } dagRun { backfill { backfillId } } } } } } }"
    )
    response.ok()
    # page, totalCount, dags, slot pages; slot.backfill hits the primed cache (run.backfill is null)
    assert len(response.statements) == 4


async def test_status_filter_and_count_are_one_statement_each(many2):
    response = await many2.graphql(
        "{ backfills(first: 100, filter: {statuses: [ORPHANED, COMPLETED]}) { totalCount nodes { backfillId status } } }"
    )
    backfills = response.ok()["backfills"]
    # every third job is still `running` with heartbeats long gone and quiet runs: orphaned
    assert {n["status"] for n in backfills["nodes"]} == {"ORPHANED", "COMPLETED"}
    assert backfills["totalCount"] == JOBS
    assert len(response.statements) == 2


STATE_FIELDS = {"success": "success", "failed": "failed", "running": "running", None: "noState"}


def expected_task_counts(client, run_ids) -> dict[str, int]:
    """`t1` succeeded in every run; `fan_out`'s first index follows its run."""
    counts = {"total": 2 * len(run_ids), "success": len(run_ids), "failed": 0, "running": 0,
              "noState": 0}  # fmt: skip
    for pk in run_ids:
        counts[STATE_FIELDS[MAPPED_STATE[client.states[pk]]]] += 1
    return counts


@pytest.mark.parametrize("n", [5, 50, 120])
async def test_task_counts_add_two_statements_and_no_blocking_runs(many2, n):
    response = await many2.graphql(FULL_QUERY_WITH_TASKS, {"n": n})
    nodes = response.ok()["backfills"]["nodes"]
    assert len(nodes) == n
    for node in nodes:
        counts = node["taskCounts"]
        expected = expected_task_counts(many2, many2.slots[node["backfillId"]])
        assert {k: counts[k] for k in expected} == expected, node["backfillId"]
        assert sum(v for k, v in counts.items() if k != "total") == counts["total"]
        for edge in node["dagRuns"]["edges"]:
            slot = edge["node"]
            assert slot["blockingRun"] is None  # Airflow 2 never skips a date
            run_counts = slot["dagRun"]["taskCounts"]
            # The run's selection is a few states (FULL_QUERY_WITH_TASKS): each of them exact.
            run_expected = expected_task_counts(many2, [slot["dagRun"]["dagRunId"]])
            assert run_counts == {k: run_expected.get(k, 0) for k in run_counts}
    # the four of the full query, plus task counts by job and by run; no blocking-run lookup
    assert len(response.statements) == 6, response.statements
    assert response.statements == data_statements(response.statements)


def expected_slots(client, backfill_id: int, filter_) -> list[int]:
    filter_ = filter_ or {}
    slots = client.slots[backfill_id]
    if filter_.get("isSkipped") is True:
        return []
    if filter_.get("states"):
        wanted = {s.lower() for s in filter_["states"]}
        slots = [pk for pk in slots if client.states[pk] in wanted]
    return slots


@WALK
@given(data=st.data())
async def test_forward_walk_sees_every_slot_once_in_order(many2, data):
    backfill_id = data.draw(st.integers(1, JOBS), label="backfill")
    filter_ = data.draw(FILTERS, label="filter")
    expected = expected_slots(many2, backfill_id, filter_)
    seen, after = [], None
    while True:
        size = data.draw(st.integers(1, 30), label="page size")
        response = await many2.graphql(
            FORWARD, {"id": encode_global_id("Backfill", backfill_id), "n": size, "after": after, "f": filter_}
        )
        connection = response.ok()["backfill"]["dagRuns"]
        ids = [edge["node"]["backfillDagRunId"] for edge in connection["edges"]]
        assert [e["node"]["dagRun"]["dagRunId"] for e in connection["edges"]] == ids
        assert ids == expected[len(seen) : len(seen) + size]
        assert connection["pageInfo"]["hasPreviousPage"] == (len(seen) > 0)
        seen += ids
        assert connection["pageInfo"]["hasNextPage"] == (len(seen) < len(expected))
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert seen == expected


@WALK
@given(data=st.data())
async def test_backward_walk_sees_every_slot_once_in_order(many2, data):
    backfill_id = data.draw(st.integers(1, JOBS), label="backfill")
    filter_ = data.draw(FILTERS, label="filter")
    expected = expected_slots(many2, backfill_id, filter_)
    seen: list[int] = []
    before = None
    while True:
        size = data.draw(st.integers(1, 30), label="page size")
        response = await many2.graphql(
            BACKWARD, {"id": encode_global_id("Backfill", backfill_id), "n": size, "before": before, "f": filter_}
        )
        connection = response.ok()["backfill"]["dagRuns"]
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
