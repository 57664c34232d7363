"""DAG-scoped tokens over HTTP, on every database: nothing outside a caller's DAGs, on any path.

A scope (`name:role:hex:dags=GLOB|GLOB`) is applied in SQL by every statement; these tests
compare what a scoped token sees with the oracle's answer for the same scope, check that
out-of-scope objects read as null exactly like unknown ids, and that the statement count
of a scoped request is the unscoped one.
"""

from __future__ import annotations

import hashlib

import pytest

from backfill_gateway.db.dag_scope import DagScope
from backfill_gateway.resolvers.global_ids import encode_global_id
from tests.conftest import gateway_client

SCOPED_TOKEN, OPEN_TOKEN = "scoped-reader-token-1", "open-reader-token-2"
# `sales_*` and an exact id; `?` stands for one character.
SCOPE_GLOBS = ("sales_*", "web_events_hourl?", "ml_feature_refresh")
SCOPE = DagScope.from_globs(SCOPE_GLOBS)


def sha(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


TOKENS = (
    f"team-sales:reader:{sha(SCOPED_TOKEN)}:dags={'|'.join(SCOPE_GLOBS)},"
    f"everyone:reader:{sha(OPEN_TOKEN)}"
)
SCOPED = {"Authorization": f"Bearer {SCOPED_TOKEN}"}
OPEN = {"Authorization": f"Bearer {OPEN_TOKEN}"}

FULL = """
{ backfills(first: 100) {
    totalCount
    nodes {
      id backfillId dagId status
      dag { id dagId displayName }
      progress { slotCount successCount failedCount skippedCount finishedFraction }
      dagRuns(first: 100) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes { id sortOrdinal isSkipped backfill { backfillId dagId }
                dagRun { id runId dagId backfillId backfill { backfillId dagId } } }
      }
    }
} }
"""


@pytest.fixture(scope="module")
async def scoped_client(demo_database):
    client = gateway_client(demo_database.url, tokens=TOKENS, allow_anonymous_reads=False)
    yield client
    await client.close()


def dag_ids_in(value) -> set[str]:
    """Every `dagId` anywhere in a response."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            # `dagId`, or an alias of it (Backfill.dagId is nullable, DagRun.dagId not).
            if (key == "dagId" or key.endswith("DagId")) and isinstance(item, str):
                found.add(item)
            else:
                found |= dag_ids_in(item)
    elif isinstance(value, list):
        for item in value:
            found |= dag_ids_in(item)
    return found


def in_scope_backfills(oracle) -> list[int]:
    return sorted(i for i, row in oracle.backfills.items() if SCOPE.allows(row["dag_id"]))


async def test_the_listing_shows_only_backfills_of_dags_in_scope(scoped_client, oracle):
    data = (await scoped_client.graphql(FULL, headers=SCOPED)).ok()["backfills"]
    expected = in_scope_backfills(oracle)
    assert expected and len(expected) < len(oracle.backfills)  # the scope really cuts
    assert [node["backfillId"] for node in data["nodes"]] == expected
    assert data["totalCount"] == len(expected)
    assert dag_ids_in(data) <= {row["dag_id"] for row in oracle.backfills.values()}
    assert all(SCOPE.allows(dag_id) for dag_id in dag_ids_in(data))


async def test_in_scope_backfills_read_exactly_as_without_a_scope(scoped_client, oracle):
    scoped = (await scoped_client.graphql(FULL, headers=SCOPED)).ok()["backfills"]["nodes"]
    everything = (await scoped_client.graphql(FULL, headers=OPEN)).ok()["backfills"]["nodes"]
    assert scoped == [node for node in everything if SCOPE.allows(node["dagId"])]
    assert any(node["dagRuns"]["nodes"] for node in scoped)
    for node in scoped:
        assert node["progress"]["slotCount"] == oracle.progress(node["backfillId"])["slotCount"]


async def test_filters_and_cursors_stay_within_the_scope(scoped_client, oracle):
    query = """query($after: String, $dags: [String!]) {
      backfills(first: 2, after: $after, filter: {dagIds: $dags}, orderBy: {field: CREATED_AT}) {
        totalCount pageInfo { hasNextPage endCursor } nodes { backfillId dagId } } }"""
    seen, after = [], None
    while True:
        page = (await scoped_client.graphql(query, {"after": after}, headers=SCOPED)).ok()
        seen += page["backfills"]["nodes"]
        if not page["backfills"]["pageInfo"]["hasNextPage"]:
            break
        after = page["backfills"]["pageInfo"]["endCursor"]
    assert sorted(node["backfillId"] for node in seen) == in_scope_backfills(oracle)
    # Asking for DAGs outside the scope by name finds nothing, and says nothing about them.
    outside = sorted({row["dag_id"] for row in oracle.backfills.values()} - dag_ids_in(seen))
    data = (await scoped_client.graphql(query, {"dags": outside}, headers=SCOPED)).ok()
    assert data["backfills"] == {
        "totalCount": 0,
        "pageInfo": {"hasNextPage": False, "endCursor": None},
        "nodes": [],
    }


def node_ids(oracle) -> dict[str, list[tuple[str, bool]]]:
    """(global id, in scope) of every object of each node type in the demo data."""
    backfill_dag = {i: row["dag_id"] for i, row in oracle.backfills.items()}
    slots = [slot for slots in oracle.slots_by_backfill.values() for slot in slots]
    return {
        "Backfill": [
            (encode_global_id("Backfill", i), SCOPE.allows(d)) for i, d in backfill_dag.items()
        ],
        "BackfillDagRun": [
            (
                encode_global_id("BackfillDagRun", s["id"]),
                SCOPE.allows(backfill_dag[s["backfill_id"]]),
            )
            for s in slots[::7]
        ],
        "DagRun": [
            (encode_global_id("DagRun", r["id"]), SCOPE.allows(r["dag_id"]))
            for r in list(oracle.runs.values())[::11]
        ],
        "Dag": [(encode_global_id("Dag", d), SCOPE.allows(d)) for d in oracle.dags],
    }


@pytest.mark.parametrize("type_name", ["Backfill", "BackfillDagRun", "DagRun", "Dag"])
async def test_objects_outside_the_scope_read_as_null_like_unknown_ids(
    scoped_client, oracle, type_name
):
    ids = node_ids(oracle)[type_name]
    assert {in_scope for _, in_scope in ids} == {True, False}
    for global_id, in_scope in ids:
        response = await scoped_client.graphql(
            "query($id: ID!) { node(id: $id) { id ... on Backfill { backfillDagId: dagId } "
            "... on DagRun { dagId } ... on Dag { dagId } ... on BackfillDagRun { backfillId } } }",
            {"id": global_id},
            headers=SCOPED,
        )
        node = response.ok()["node"]
        assert (node is not None) == in_scope, (global_id, node)
        assert response.errors == []
    unknown = encode_global_id(type_name, "no_such_dag" if type_name == "Dag" else 999999)
    response = await scoped_client.graphql(
        "query($id: ID!) { node(id: $id) { id } }", {"id": unknown}, headers=SCOPED
    )
    assert response.ok() == {"node": None}


async def test_backfill_by_id_outside_the_scope_is_null(scoped_client, oracle):
    query = "query($id: ID!) { backfill(id: $id) { backfillId dagId } }"
    for backfill_id, row in oracle.backfills.items():
        response = await scoped_client.graphql(
            query, {"id": encode_global_id("Backfill", backfill_id)}, headers=SCOPED
        )
        expected = {"backfillId": backfill_id, "dagId": row["dag_id"]}
        assert response.ok()["backfill"] == (expected if SCOPE.allows(row["dag_id"]) else None)


async def test_backfill_by_id_with_its_page_alone_outside_the_scope_is_null(scoped_client, oracle):
    # Nothing of the backfill's row is selected: the page statement alone says whether the
    # backfill is there for this caller.
    query = (
        "query($id: ID!) { backfill(id: $id) { backfillId dagRuns(first: 2) { "
        "nodes { sortOrdinal } } } }"
    )
    for backfill_id, row in oracle.backfills.items():
        response = await scoped_client.graphql(
            query, {"id": encode_global_id("Backfill", backfill_id)}, headers=SCOPED
        )
        found = response.ok()["backfill"]
        assert len(response.statements) == 1
        if not SCOPE.allows(row["dag_id"]):
            assert found is None, backfill_id
        else:
            ordinals = [slot["sort_ordinal"] for slot in oracle.slots(backfill_id)[:2]]
            assert found == {
                "backfillId": backfill_id,
                "dagRuns": {"nodes": [{"sortOrdinal": o} for o in ordinals]},
            }


async def test_a_scoped_request_sends_the_statements_of_an_unscoped_one(scoped_client):
    scoped = await scoped_client.graphql(FULL, headers=SCOPED)
    unscoped = await scoped_client.graphql(FULL, headers=OPEN)
    scoped.ok(), unscoped.ok()
    # page, totalCount, dags, progress, slot pages, slot counts; run.backfill hits the cache
    assert len(scoped.statements) == len(unscoped.statements) == 6
    # The scope is bound, never inlined: no DAG id of the scope in the SQL text.
    assert not any("sales" in statement for statement in scoped.statements)


TASKS = """
{ backfills(first: 100) {
    nodes {
      backfillId dagId
      taskCounts { total success failed running noState }
      dagRuns(first: 100) {
        nodes { isSkipped dagRun { dagRunId taskCounts { total success noState } }
                blockingRun { dagRunId dagId state } }
      }
    }
} }
"""


async def test_task_counts_and_blocking_runs_read_exactly_as_without_a_scope(scoped_client, oracle):
    scoped = await scoped_client.graphql(TASKS, headers=SCOPED)
    unscoped = await scoped_client.graphql(TASKS, headers=OPEN)
    nodes = scoped.ok()["backfills"]["nodes"]
    everything = unscoped.ok()["backfills"]["nodes"]
    assert nodes == [node for node in everything if SCOPE.allows(node["dagId"])]
    assert any(node["taskCounts"]["total"] for node in nodes)
    blocking = [s["blockingRun"] for n in nodes for s in n["dagRuns"]["nodes"] if s["blockingRun"]]
    assert all(SCOPE.allows(run["dagId"]) for run in blocking)
    expected = [
        run for backfill_id in in_scope_backfills(oracle)
        for run in map(oracle.blocking_run, oracle.slots(backfill_id)[:100]) if run
    ]  # fmt: skip
    assert [run["dagRunId"] for run in blocking] == [run["id"] for run in expected]
    # page, slot pages, task counts by backfill and by run, and blocking runs when a page has
    # a skipped slot (the scope decides which pages are read, never the statements' shape)
    skipped = any(s["isSkipped"] for n in nodes for s in n["dagRuns"]["nodes"])
    assert len(scoped.statements) == 4 + skipped
    assert len(unscoped.statements) == 5
    assert not any("sales" in statement for statement in scoped.statements)
