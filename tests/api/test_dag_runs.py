"""Backfill.dagRuns: the slot connection, skipped slots kept, over HTTP on every database."""

from __future__ import annotations

import pytest

from backfill_gateway.resolvers.global_ids import encode_global_id
from tests.support.oracle import iso, json_value

RUN_FIELDS = """
  id dagRunId runId dagId state runType triggeredBy triggeringUserName logicalDate runAfter
  queuedAt startDate endDate duration dataIntervalStart dataIntervalEnd conf clearNumber
  backfillId partitionKey partitionDate createdAt updatedAt
"""
SLOT_FIELDS = f"""
  id backfillDagRunId backfillId sortOrdinal logicalDate partitionKey exceptionReason isSkipped
  dagRunId dagRun {{ {RUN_FIELDS} }}
"""
REASONS = {"already exists": "ALREADY_EXISTS", "in flight": "IN_FLIGHT", "unknown": "UNKNOWN"}


def expected_run(run: dict | None) -> dict | None:
    if run is None:
        return None
    duration = None
    if run["start_date"] is not None and run["end_date"] is not None:
        duration = (run["end_date"] - run["start_date"]).total_seconds()
    return {
        "id": encode_global_id("DagRun", run["id"]),
        "dagRunId": run["id"],
        "runId": run["run_id"],
        "dagId": run["dag_id"],
        "state": run["state"].upper() if run["state"] else None,
        "runType": run["run_type"],
        "triggeredBy": run["triggered_by"],
        "triggeringUserName": run["triggering_user_name"],
        "logicalDate": iso(run["logical_date"]),
        "runAfter": iso(run["run_after"]),
        "queuedAt": iso(run["queued_at"]),
        "startDate": iso(run["start_date"]),
        "endDate": iso(run["end_date"]),
        "duration": duration,
        "dataIntervalStart": iso(run["data_interval_start"]),
        "dataIntervalEnd": iso(run["data_interval_end"]),
        "conf": json_value(run["conf"]),
        "clearNumber": run["clear_number"],
        "backfillId": run["backfill_id"],
        "partitionKey": run["partition_key"],
        "partitionDate": iso(run["partition_date"]),
        "createdAt": iso(run["created_at"]),
        "updatedAt": iso(run["updated_at"]),
    }


def expected_slot(oracle, slot: dict) -> dict:
    reason = slot["exception_reason"]
    return {
        "id": encode_global_id("BackfillDagRun", slot["id"]),
        "backfillDagRunId": slot["id"],
        "backfillId": slot["backfill_id"],
        "sortOrdinal": slot["sort_ordinal"],
        "logicalDate": iso(slot["logical_date"]),
        "partitionKey": slot["partition_key"],
        "exceptionReason": REASONS.get(reason, "UNKNOWN") if reason is not None else None,
        "isSkipped": reason is not None,
        "dagRunId": slot["dag_run_id"],
        "dagRun": expected_run(oracle.runs.get(slot["dag_run_id"])),
    }


async def walk(gateway, backfill_id: int, page_size: int, fields: str, filter_=None) -> list:
    nodes, after = [], None
    while True:
        response = await gateway.graphql(
            f"query($id: ID!, $n: Int, $after: String, $f: BackfillDagRunFilter) {{ backfill(id: $id) {{ "
            f"dagRuns(first: $n, after: $after, filter: $f) {{ pageInfo {{ hasNextPage endCursor }} "
            f"nodes {{ {fields} }} }} }} }}",
            {"id": encode_global_id("Backfill", backfill_id), "n": page_size, "after": after, "f": filter_},
        )
        connection = response.ok()["backfill"]["dagRuns"]
        nodes += connection["nodes"]
        if not connection["pageInfo"]["hasNextPage"]:
            return nodes
        after = connection["pageInfo"]["endCursor"]


@pytest.mark.parametrize(
    "case",
    ["running", "completed", "cancelled", "reverse", "skipped_already_exists", "skipped_in_flight",
     "reprocessed_runs_moved", "partitioned", "run_deleted", "hourly"],
)  # fmt: skip
async def test_every_slot_in_order_with_all_fields(gateway, oracle, case):
    backfill_id = oracle.case(case)
    nodes = await walk(gateway, backfill_id, 100, SLOT_FIELDS)
    assert nodes == [expected_slot(oracle, slot) for slot in oracle.slots(backfill_id)]


async def test_the_large_backfill_pages_through_a_thousand_slots(gateway, oracle):
    backfill_id = oracle.case("large")
    expected = [slot["id"] for slot in oracle.slots(backfill_id)]
    assert len(expected) >= 1000
    nodes = await walk(gateway, backfill_id, 100, "backfillDagRunId")
    assert [n["backfillDagRunId"] for n in nodes] == expected


async def test_skipped_slots_are_edges_with_null_dag_run(gateway, oracle):
    for case, reason in [("skipped_already_exists", "ALREADY_EXISTS"), ("skipped_in_flight", "IN_FLIGHT")]:
        backfill_id = oracle.case(case)
        nodes = await walk(gateway, backfill_id, 50, "isSkipped exceptionReason dagRun { id }")
        skipped = [n for n in nodes if n["isSkipped"]]
        assert any(n["exceptionReason"] == reason for n in skipped)
        assert all(n["dagRun"] is None for n in skipped)
        assert len(nodes) == len(oracle.slots(backfill_id))


async def test_reverse_backfill_starts_with_the_latest_date(gateway, oracle):
    backfill_id = oracle.case("reverse")
    nodes = await walk(gateway, backfill_id, 100, "sortOrdinal logicalDate")
    dates = [n["logicalDate"] for n in nodes if n["logicalDate"]]
    assert nodes[0]["sortOrdinal"] == 1
    assert dates == sorted(dates, reverse=True)


async def test_a_reprocessed_run_belongs_to_the_later_backfill(gateway, oracle):
    backfill_id = oracle.case("reprocessed_runs_moved")
    nodes = await walk(gateway, backfill_id, 100, "backfillId dagRun { backfillId backfill { backfillId } }")
    moved = [n for n in nodes if n["dagRun"] and n["dagRun"]["backfillId"] != n["backfillId"]]
    assert moved, "the earlier backfill's slot points at a run another backfill now owns"
    for node in moved:
        assert node["dagRun"]["backfill"]["backfillId"] == node["dagRun"]["backfillId"]


@pytest.mark.parametrize(
    ("states", "is_skipped"),
    [(["SUCCESS"], None), (["QUEUED", "RUNNING"], None), (None, True), (None, False),
     (["FAILED"], False), ([], None)],
)  # fmt: skip
async def test_filters_and_their_total_count(gateway, oracle, states, is_skipped):
    backfill_id = oracle.case("large")
    filter_ = {"states": states, "isSkipped": is_skipped}
    expected = oracle.slots(
        backfill_id,
        states={s.lower() for s in states} if states is not None else None,
        is_skipped=is_skipped,
    )
    nodes = await walk(gateway, backfill_id, 100, "backfillDagRunId", filter_)
    assert [n["backfillDagRunId"] for n in nodes] == [s["id"] for s in expected]
    response = await gateway.graphql(
        "query($id: ID!, $f: BackfillDagRunFilter) { backfill(id: $id) { dagRuns(first: 1, filter: $f) { totalCount } } }",
        {"id": encode_global_id("Backfill", backfill_id), "f": filter_},
    )
    assert response.ok()["backfill"]["dagRuns"]["totalCount"] == len(expected)


async def test_progress_of_every_backfill(gateway, oracle):
    response = await gateway.graphql(
        "{ backfills(first: 100) { nodes { backfillId progress { slotCount skippedCount "
        "runMissingCount queuedCount runningCount successCount failedCount finishedCount "
        "finishedFraction } } } }"
    )
    for node in response.ok()["backfills"]["nodes"]:
        expected = oracle.progress(node["backfillId"])
        fraction = node["progress"].pop("finishedFraction")
        expected_fraction = expected.pop("finishedFraction")
        assert node["progress"] == expected
        assert fraction == pytest.approx(expected_fraction) if expected_fraction is not None else fraction is None


async def test_backward_paging_and_exact_page_info(gateway, oracle):
    backfill_id = oracle.case("large")
    ids = [slot["id"] for slot in oracle.slots(backfill_id)]
    query = (
        "query($id: ID!, $n: Int, $before: String, $after: String) { backfill(id: $id) { "
        "dagRuns(last: $n, before: $before, after: $after) { pageInfo { hasNextPage hasPreviousPage "
        "startCursor endCursor } nodes { backfillDagRunId } } } }"
    )
    gid = encode_global_id("Backfill", backfill_id)
    last_page = (await gateway.graphql(query, {"id": gid, "n": 10})).ok()["backfill"]["dagRuns"]
    assert [n["backfillDagRunId"] for n in last_page["nodes"]] == ids[-10:]
    assert last_page["pageInfo"]["hasPreviousPage"] and not last_page["pageInfo"]["hasNextPage"]
    before = last_page["pageInfo"]["startCursor"]
    previous = (await gateway.graphql(query, {"id": gid, "n": 10, "before": before})).ok()
    page = previous["backfill"]["dagRuns"]
    assert [n["backfillDagRunId"] for n in page["nodes"]] == ids[-20:-10]
    assert page["pageInfo"]["hasNextPage"] and page["pageInfo"]["hasPreviousPage"]


async def test_page_between_two_cursors(gateway, oracle):
    backfill_id = oracle.case("large")
    ids = [slot["id"] for slot in oracle.slots(backfill_id)]
    gid = encode_global_id("Backfill", backfill_id)
    edges = (await gateway.graphql(
        "query($id: ID!) { backfill(id: $id) { dagRuns(first: 30) { edges { cursor } } } }", {"id": gid}
    )).ok()["backfill"]["dagRuns"]["edges"]  # fmt: skip
    response = await gateway.graphql(
        "query($id: ID!, $a: String, $b: String) { backfill(id: $id) { dagRuns(first: 100, after: $a, "
        "before: $b) { pageInfo { hasNextPage hasPreviousPage } nodes { backfillDagRunId } } } }",
        {"id": gid, "a": edges[4]["cursor"], "b": edges[20]["cursor"]},
    )
    page = response.ok()["backfill"]["dagRuns"]
    assert [n["backfillDagRunId"] for n in page["nodes"]] == ids[5:20]
    assert page["pageInfo"] == {"hasNextPage": True, "hasPreviousPage": True}


async def test_orphan_has_an_empty_connection(gateway, oracle):
    response = await gateway.graphql(
        "query($id: ID!) { backfill(id: $id) { dagRuns { totalCount edges { cursor } pageInfo "
        "{ hasNextPage hasPreviousPage startCursor endCursor } } } }",
        {"id": encode_global_id("Backfill", oracle.case("orphaned"))},
    )
    assert response.ok()["backfill"]["dagRuns"] == {
        "totalCount": 0,
        "edges": [],
        "pageInfo": {"hasNextPage": False, "hasPreviousPage": False, "startCursor": None, "endCursor": None},
    }


async def test_cursor_of_another_backfill_is_bad_user_input(gateway, oracle):
    a, b = oracle.case("large"), oracle.case("completed")
    assert a != b
    cursor = (await gateway.graphql(
        "query($id: ID!) { backfill(id: $id) { dagRuns(first: 1) { pageInfo { endCursor } } } }",
        {"id": encode_global_id("Backfill", a)},
    )).ok()["backfill"]["dagRuns"]["pageInfo"]["endCursor"]  # fmt: skip
    response = await gateway.graphql(
        "query($id: ID!, $c: String) { backfill(id: $id) { dagRuns(first: 1, after: $c) { totalCount } } }",
        {"id": encode_global_id("Backfill", b), "c": cursor},
    )
    assert response.error_codes == ["BAD_USER_INPUT"]
    assert response.errors[0]["extensions"]["argument"] == "after"
    assert response.data == {"backfill": None}


async def test_default_page_size_is_twenty(gateway, oracle):
    response = await gateway.graphql(
        "query($id: ID!) { backfill(id: $id) { dagRuns { nodes { sortOrdinal } pageInfo { hasNextPage } } } }",
        {"id": encode_global_id("Backfill", oracle.case("large"))},
    )
    connection = response.ok()["backfill"]["dagRuns"]
    assert len(connection["nodes"]) == 20 and connection["pageInfo"]["hasNextPage"]
