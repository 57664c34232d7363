"""The graph over an Airflow 2.11 database (SQLite and PostgreSQL, Airflow's own DDL): one
Backfill per BackfillJob, its slots the runs it created or took over, over HTTP.

The world is tests/support/airflow2_scenario.py; every expectation below is written out
from it by hand.
"""

from __future__ import annotations

import os
from contextlib import AsyncExitStack

import pytest

from backfill_gateway.resolvers.global_ids import encode_global_id
from tests.conftest import _enter_database, gateway_client
from tests.support.airflow2 import create_airflow2_schema
from tests.support.airflow2_scenario import write_scenario

AIRFLOW2_BACKENDS = ("sqlite", "postgresql", "mysql")

FIELDS = """
  backfillId dagId status fromDate toDate rangeSource runBackwards resetDagRuns
  rerunFailedTasks dagRunConf isPaused reprocessBehavior maxActiveRuns createdAt completedAt
  updatedAt triggeringUserName latestHeartbeat hostname
"""
LIST = "query($f: BackfillFilter, $o: BackfillOrder) { backfills(first: 50, filter: $f, orderBy: $o) { totalCount nodes { %s } } }"


@pytest.fixture(scope="module", params=AIRFLOW2_BACKENDS)
async def af2(request, tmp_path_factory):
    async with AsyncExitStack() as stack:
        database = await _enter_database(request.param, tmp_path_factory, stack)
        engine = await create_airflow2_schema(database.url)
        marker = str(tmp_path_factory.mktemp("exploit") / "pwned")
        scenario = await write_scenario(engine, marker)
        await engine.dispose()
        client = gateway_client(database.url)  # Airflow 2.11 detected from the database
        client.scenario = scenario
        yield client
        await client.close()


def job(backfill_id, dag_id, status, from_date, to_date, source, flags, created, completed,
        heartbeat, conf=None):  # fmt: skip
    backwards, reset, rerun = flags
    return {
        "backfillId": backfill_id, "dagId": dag_id, "status": status, "fromDate": from_date,
        "toDate": to_date, "rangeSource": source, "runBackwards": backwards,
        "resetDagRuns": reset, "rerunFailedTasks": rerun, "dagRunConf": conf, "isPaused": False,
        "reprocessBehavior": None, "maxActiveRuns": None, "createdAt": created,
        "completedAt": completed, "updatedAt": None, "triggeringUserName": "airflow",
        "latestHeartbeat": heartbeat, "hostname": "worker-1.internal",
    }  # fmt: skip


NO_FLAGS = (False, False, False)
EXPECTED = [
    job(1, "etl_daily", "COMPLETED", "2026-01-01T00:00:00+00:00", "2026-01-05T00:00:00+00:00",
        "CLI_COMMAND", NO_FLAGS, "2026-09-05T12:00:00+00:00", "2026-09-05T12:06:00+00:00",
        "2026-09-05T12:06:00+00:00"),
    job(2, "reports", "COMPLETED", "2026-02-01T00:00:00+00:00", "2026-02-03T00:00:00+00:00",
        "CLI_COMMAND", NO_FLAGS, "2026-09-06T12:00:00+00:00", "2026-09-06T12:04:00+00:00",
        "2026-09-06T12:04:00+00:00"),
    job(4, "etl_daily", "ORPHANED", "2026-03-01T00:00:00+00:00", "2026-03-10T00:00:00+00:00",
        "CLI_COMMAND", (True, False, False), "2026-09-13T12:00:00+00:00", None,
        "2026-09-13T12:02:00+00:00"),
    job(6, "reports", "COMPLETED", "2026-02-02T00:00:00+00:00", "2026-02-03T00:00:00+00:00",
        "CLI_COMMAND", (False, False, True), "2026-09-07T12:00:00+00:00",
        "2026-09-07T12:06:00+00:00", "2026-09-07T12:06:00+00:00"),
    job(8, "etl_daily", "RUNNING", "2026-04-01T00:00:00+00:00", "2026-04-02T00:00:00+00:00",
        "CLI_COMMAND", (False, True, False), "2026-09-15T11:30:00+00:00", None,
        "2026-09-15T11:59:55+00:00", conf={"full": True}),
    job(9, None, "ORPHANED", None, None, "UNKNOWN", (None, None, None),
        "2026-09-12T12:00:00+00:00", None, "2026-09-12T12:00:00+00:00"),
]  # fmt: skip
# Slots: (run id, logical date) in order; job 2's failed runs were rerun by job 6.
SLOTS = {
    1: [(1, "2026-01-01"), (2, "2026-01-02"), (3, "2026-01-03"), (4, "2026-01-04"), (5, "2026-01-05")],
    2: [(6, "2026-02-01"), (7, "2026-02-02"), (8, "2026-02-03")],
    4: [(10, "2026-03-09"), (9, "2026-03-10")],
    6: [(7, "2026-02-02"), (8, "2026-02-03")],
    8: [(11, "2026-04-01"), (12, "2026-04-02")],
    9: [],
}  # fmt: skip


async def listing(client, filter_=None, order=None):
    response = await client.graphql(LIST % FIELDS, {"f": filter_, "o": order})
    return response.ok()["backfills"]


async def test_one_backfill_per_backfill_job_with_every_field(af2):
    backfills = await listing(af2)
    assert backfills["nodes"] == EXPECTED
    assert backfills["totalCount"] == len(EXPECTED)


async def test_slots_are_the_runs_created_and_taken_over_in_logical_date_order(af2):
    query = """{ backfills(first: 50) { nodes { backfillId progress { slotCount skippedCount
      runMissingCount queuedCount runningCount successCount failedCount finishedCount finishedFraction }
      dagRuns(first: 20) { totalCount edges { node { id backfillDagRunId backfillId sortOrdinal logicalDate
        partitionKey exceptionReason isSkipped dagRunId
        dagRun { dagRunId runId dagId state runType triggeredBy logicalDate runAfter backfillId
                 dataIntervalStart conf confUnreadable clearNumber createdAt } } } } } } }"""
    nodes = (await af2.graphql(query)).ok()["backfills"]["nodes"]
    by_id = {node["backfillId"]: node for node in nodes}
    for backfill_id, slots in SLOTS.items():
        connection = by_id[backfill_id]["dagRuns"]
        assert connection["totalCount"] == len(slots)
        got = [(e["node"]["dagRunId"], e["node"]["logicalDate"][:10]) for e in connection["edges"]]
        assert got == slots
        for ordinal, edge in enumerate(connection["edges"], start=1):
            node = edge["node"]
            assert node["sortOrdinal"] == ordinal
            assert node["backfillId"] == backfill_id
            assert node["backfillDagRunId"] == node["dagRunId"] == node["dagRun"]["dagRunId"]
            assert node["id"] == encode_global_id("BackfillDagRun", node["dagRunId"])
            assert (node["isSkipped"], node["exceptionReason"], node["partitionKey"]) == (False, None, None)
            run = node["dagRun"]
            assert run["logicalDate"] == node["logicalDate"]
            assert run["runType"] == "backfill"  # a reused run is forced to backfill
            assert (run["triggeredBy"], run["runAfter"], run["backfillId"], run["createdAt"]) == (None,) * 4
            assert run["dataIntervalStart"] == run["logicalDate"]
    reused_manual = by_id[8]["dagRuns"]["edges"][0]["node"]["dagRun"]
    assert reused_manual["runId"] == "manual__2026-04-01T00:00:00+00:00"
    assert reused_manual["state"] == "RUNNING"
    progress = {n["backfillId"]: n["progress"] for n in nodes}
    assert progress[2] == {"slotCount": 3, "skippedCount": 0, "runMissingCount": 0, "queuedCount": 0,
                           "runningCount": 0, "successCount": 3, "failedCount": 0,
                           "finishedCount": 3, "finishedFraction": 1.0}  # fmt: skip
    assert progress[4]["runningCount"] == 1 and progress[4]["successCount"] == 1
    assert progress[4]["finishedFraction"] == 0.5
    assert progress[9] == {"slotCount": 0, "skippedCount": 0, "runMissingCount": 0, "queuedCount": 0,
                           "runningCount": 0, "successCount": 0, "failedCount": 0,
                           "finishedCount": 0, "finishedFraction": None}  # fmt: skip


async def test_pickled_confs_are_read_as_plain_data_and_never_executed(af2):
    query = "{ backfill(id: \"%s\") { dagRuns(first: 5) { nodes { dagRun { dagRunId conf confUnreadable } } } } }"
    response = await af2.graphql(query % encode_global_id("Backfill", 1))
    runs = [n["dagRun"] for n in response.ok()["backfill"]["dagRuns"]["nodes"]]
    assert runs[0] == {"dagRunId": 1, "conf": None, "confUnreadable": True}  # os.system inside
    assert runs[1] == {"dagRunId": 2, "conf": {"day": 2, "tags": ["a", "b"]}, "confUnreadable": False}
    assert not os.path.exists(af2.scenario.marker)


@pytest.mark.parametrize(
    ("filter_", "expected"),
    [
        ({"statuses": ["ORPHANED"]}, [4, 9]),
        ({"statuses": ["RUNNING"]}, [8]),
        ({"statuses": ["COMPLETED"]}, [1, 2, 6]),
        ({"statuses": ["PAUSED", "INITIALIZING"]}, []),
        ({"statuses": ["RUNNING", "ORPHANED"]}, [4, 8, 9]),
        ({"dagIds": ["reports"]}, [2, 6]),
        ({"dagIds": ["etl_daily", "nope"], "statuses": ["COMPLETED", "RUNNING"]}, [1, 8]),
        ({"backfillIds": [1, 3, 6, 10]}, [1, 6]),  # 3 is a LocalTaskJob, 10 the scheduler
        ({"createdAfter": "2026-09-07T12:00:00+00:00", "createdBefore": "2026-09-15T00:00:00+00:00"}, [4, 6, 9]),
    ],
)
async def test_filters(af2, filter_, expected):
    backfills = await listing(af2, filter_)
    assert [node["backfillId"] for node in backfills["nodes"]] == expected
    assert backfills["totalCount"] == len(expected)


async def test_order_by_creation_time_descending(af2):
    backfills = await listing(af2, order={"field": "CREATED_AT", "direction": "DESC"})
    assert [node["backfillId"] for node in backfills["nodes"]] == [8, 4, 9, 6, 2, 1]


async def test_backfill_pages_by_cursor_both_ways(af2):
    query = """query($after: String, $before: String, $first: Int, $last: Int) {
      backfills(first: $first, after: $after, last: $last, before: $before, orderBy: {field: CREATED_AT}) {
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor } nodes { backfillId } } }"""
    first = (await af2.graphql(query, {"first": 4})).ok()["backfills"]
    assert [n["backfillId"] for n in first["nodes"]] == [1, 2, 6, 9]
    assert (first["pageInfo"]["hasNextPage"], first["pageInfo"]["hasPreviousPage"]) == (True, False)
    rest = (await af2.graphql(query, {"first": 4, "after": first["pageInfo"]["endCursor"]})).ok()["backfills"]
    assert [n["backfillId"] for n in rest["nodes"]] == [4, 8]
    assert (rest["pageInfo"]["hasNextPage"], rest["pageInfo"]["hasPreviousPage"]) == (False, True)
    back = (await af2.graphql(query, {"last": 3, "before": rest["pageInfo"]["startCursor"]})).ok()["backfills"]
    assert [n["backfillId"] for n in back["nodes"]] == [2, 6, 9]
    assert (back["pageInfo"]["hasNextPage"], back["pageInfo"]["hasPreviousPage"]) == (True, True)


async def test_slot_pages_by_cursor_with_filters(af2):
    query = """query($id: ID!, $first: Int, $after: String, $last: Int, $before: String, $f: BackfillDagRunFilter) {
      backfill(id: $id) { dagRuns(first: $first, after: $after, last: $last, before: $before, filter: $f) {
        totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } nodes { dagRunId sortOrdinal } } } }"""
    gid = encode_global_id("Backfill", 1)

    async def page(**variables):
        return (await af2.graphql(query, {"id": gid, **variables})).ok()["backfill"]["dagRuns"]

    first = await page(first=2)
    assert [n["dagRunId"] for n in first["nodes"]] == [1, 2]
    second = await page(first=2, after=first["pageInfo"]["endCursor"])
    assert [n["sortOrdinal"] for n in second["nodes"]] == [3, 4]
    assert (second["pageInfo"]["hasPreviousPage"], second["pageInfo"]["hasNextPage"]) == (True, True)
    last = await page(first=2, after=second["pageInfo"]["endCursor"])
    assert [n["dagRunId"] for n in last["nodes"]] == [5]
    assert (last["pageInfo"]["hasPreviousPage"], last["pageInfo"]["hasNextPage"]) == (True, False)
    beyond = await page(first=2, after=last["pageInfo"]["endCursor"])
    assert beyond["nodes"] == []
    assert (beyond["pageInfo"]["hasPreviousPage"], beyond["pageInfo"]["hasNextPage"]) == (True, False)
    back = await page(last=3, before=last["pageInfo"]["startCursor"])
    assert [n["dagRunId"] for n in back["nodes"]] == [2, 3, 4]
    assert (back["pageInfo"]["hasPreviousPage"], back["pageInfo"]["hasNextPage"]) == (True, True)
    assert (await page(first=5, f={"isSkipped": True})) ["totalCount"] == 0
    assert (await page(first=5, f={"isSkipped": False}))["totalCount"] == 5
    running = encode_global_id("Backfill", 4)
    states = (await af2.graphql(query, {"id": running, "first": 5, "f": {"states": ["RUNNING"]}})).ok()
    assert [n["dagRunId"] for n in states["backfill"]["dagRuns"]["nodes"]] == [10]
    assert states["backfill"]["dagRuns"]["nodes"][0]["sortOrdinal"] == 1


async def test_cursor_of_another_backfill_is_refused(af2):
    query = """query($id: ID!, $after: String) { backfill(id: $id) { dagRuns(first: 1, after: $after) {
      pageInfo { endCursor } } } }"""
    end = (await af2.graphql(query, {"id": encode_global_id("Backfill", 1)})).ok()
    cursor = end["backfill"]["dagRuns"]["pageInfo"]["endCursor"]
    response = await af2.graphql(query, {"id": encode_global_id("Backfill", 2), "after": cursor})
    assert response.error_codes == ["BAD_USER_INPUT"]


async def test_nodes_by_global_id(af2):
    lookups = {
        encode_global_id("Backfill", 4): "... on Backfill { backfillId dagId status }",
        encode_global_id("Backfill", 3): "... on Backfill { backfillId }",  # a LocalTaskJob
        encode_global_id("BackfillDagRun", 7): "... on BackfillDagRun { backfillId sortOrdinal dagRunId }",
        encode_global_id("BackfillDagRun", 13): "... on BackfillDagRun { backfillId }",  # scheduler's run
        encode_global_id("DagRun", 11): "... on DagRun { runId runType state conf confUnreadable }",
        encode_global_id("Dag", "reports"): "... on Dag { dagId displayName isStale timetableSummary bundleName owners }",
    }
    got = []
    for gid, fragment in lookups.items():
        response = await af2.graphql(f"query($id: ID!) {{ node(id: $id) {{ {fragment} }} }}", {"id": gid})
        got.append(response.ok()["node"])
    assert got == [
        {"backfillId": 4, "dagId": "etl_daily", "status": "ORPHANED"},
        None,
        {"backfillId": 6, "sortOrdinal": 1, "dagRunId": 7},  # the newest job the run belongs to
        None,
        {"runId": "manual__2026-04-01T00:00:00+00:00", "runType": "backfill", "state": "RUNNING",
         "conf": {}, "confUnreadable": False},
        {"dagId": "reports", "displayName": "Reports", "isStale": True, "timetableSummary": None,
         "bundleName": None, "owners": ["data-eng", "ops"]},
    ]  # fmt: skip


async def test_backfill_without_runs_has_no_dag(af2):
    response = await af2.graphql(
        "query($id: ID!) { backfill(id: $id) { dagId dag { dagId } dagRuns { totalCount } } }",
        {"id": encode_global_id("Backfill", 9)},
    )
    assert response.ok()["backfill"] == {"dagId": None, "dag": None, "dagRuns": {"totalCount": 0}}
