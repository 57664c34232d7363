"""SQL statements per GraphQL request are constant: no N+1, ever.

The count for a response with 500 backfills (each with a page of slots, their
runs, the page's totalCount and progress) is the count for 5 backfills, and the
same on every Airflow 3.x schema (a column a version lacks is a NULL, not another
statement).
"""

from __future__ import annotations

from contextlib import AsyncExitStack

import pytest

from tests.conftest import FIXED_NOW, _enter_database, gateway_client
from tests.support.airflow_versions import VERSIONS, create_versioned_schema
from tests.support.bulk import load_many_backfills
from tests.support.databases import BACKENDS

MANY = 520

FULL_QUERY = """
query Many($n: Int!) {
  backfills(first: $n) {
    nodes {
      id backfillId dagId fromDate toDate dagRunConf isPaused reprocessBehavior maxActiveRuns
      createdAt completedAt updatedAt triggeringUserName status
      progress { slotCount skippedCount queuedCount runningCount successCount failedCount finishedFraction }
      dagRuns(first: 20) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges { cursor node {
          id sortOrdinal logicalDate partitionKey exceptionReason isSkipped dagRunId
          dagRun { id dagRunId runId dagId state runType triggeredBy logicalDate runAfter queuedAt
                   startDate endDate duration dataIntervalStart dataIntervalEnd conf clearNumber backfillId }
        } }
      }
    }
  }
}
"""


@pytest.fixture(
    scope="module",
    params=[(backend, version) for version in VERSIONS for backend in BACKENDS],
    ids=lambda param: "-".join(param),
)
async def many(request, tmp_path_factory):
    backend, version = request.param
    async with AsyncExitStack() as stack:
        database = await _enter_database(backend, tmp_path_factory, stack)
        engine = await create_versioned_schema(database.url, version)
        await load_many_backfills(engine, FIXED_NOW, backfills=MANY, slots_each=25)
        await engine.dispose()
        # Statements are counted, not timed: a loaded machine must not time a request out.
        client = gateway_client(database.url, max_page_size=MANY, request_timeout_seconds=120)
        yield client
        await client.close()


def data_statements(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]


@pytest.mark.parametrize("n", [5, 50, 500])
async def test_full_nested_query_costs_four_statements_whatever_the_size(many, n):
    response = await many.graphql(FULL_QUERY, {"n": n})
    nodes = response.ok()["backfills"]["nodes"]
    assert len(nodes) == n
    assert all(len(node["dagRuns"]["edges"]) == 20 for node in nodes)
    assert all(node["dagRuns"]["totalCount"] == 25 for node in nodes)
    # the backfill page, the slot pages, the slot counts, the progress counts
    assert len(response.statements) == 4, response.statements
    assert response.statements == data_statements(response.statements)


async def test_each_distinct_page_argument_set_is_one_more_statement(many):
    response = await many.graphql(
        "{ backfills(first: 50) { nodes { a: dagRuns(first: 3) { nodes { sortOrdinal } } "
        "b: dagRuns(first: 3) { nodes { sortOrdinal } } c: dagRuns(last: 2) { nodes { sortOrdinal } } "
        "d: dagRuns(first: 3, filter: {isSkipped: true}) { nodes { sortOrdinal } } } } }"
    )
    nodes = response.ok()["backfills"]["nodes"]
    assert nodes[0]["a"] == nodes[0]["b"]
    # backfills + three distinct page argument sets (a and b share one)
    assert len(response.statements) == 4


async def test_one_backfill_by_id_with_a_page_is_one_statement(many):
    from backfill_gateway.resolvers.global_ids import encode_global_id

    response = await many.graphql(
        "query($id: ID!) { backfill(id: $id) { dagId dagRuns(first: 50) { edges { cursor node { "
        "sortOrdinal dagRun { runId state } } } pageInfo { hasNextPage endCursor } } } }",
        {"id": encode_global_id("Backfill", 7)},
    )
    end = response.ok()["backfill"]["dagRuns"]["pageInfo"]["endCursor"]
    # The backfill and its page: one statement (the page's arguments are known up front).
    assert len(response.statements) == 1
    deep = await many.graphql(
        "query($id: ID!, $after: String) { backfill(id: $id) { dagRuns(first: 5, after: $after) { "
        "pageInfo { hasNextPage hasPreviousPage } nodes { sortOrdinal } } } }",
        {"id": encode_global_id("Backfill", 7), "after": end},
    )
    assert deep.ok()["backfill"]["dagRuns"]["pageInfo"]["hasPreviousPage"] is True
    assert len(deep.statements) == 1


BY_ID_PAGE = "dagId dagRuns(first: 3) { nodes { sortOrdinal isSkipped dagRun { runId } } }"


def by_id_query(selection: str, variables: str = "$id: ID!") -> str:
    return f"query({variables}) {{ backfill(id: $id) {{ {selection} }} }}"


@pytest.mark.parametrize(
    ("case", "query", "extra_variables", "statements"),
    [
        # Fragments and aliases: the one `dagRuns` field is still known up front.
        ("fragment", by_id_query("...F") + " fragment F on Backfill { " + BY_ID_PAGE + " }",
         {}, 1),
        ("alias", by_id_query(BY_ID_PAGE.replace("dagRuns", "slots: dagRuns")), {}, 1),
        # Arguments from variables (a default one too) and a null filter: known up front.
        ("variables", by_id_query(BY_ID_PAGE.replace("first: 3", "first: $n, after: $a, filter: $f"),
                                  "$id: ID!, $n: Int = 3, $a: String, $f: BackfillDagRunFilter"),
         {"f": None}, 1),
        ("no arguments", by_id_query(BY_ID_PAGE.replace("(first: 3)", "")), {}, 1),
        ("null filter", by_id_query(BY_ID_PAGE.replace("first: 3", "first: 3, filter: null")), {}, 1),
        # Read apart: a filter; two pages of one backfill; a directive decided per request.
        ("filter", by_id_query(BY_ID_PAGE.replace("(first: 3)", "(first: 3, filter: {})")),
         {}, 2),
        ("two pages", by_id_query(BY_ID_PAGE + " b: dagRuns(first: 2) { nodes { id } }"), {}, 3),
        ("include", by_id_query(BY_ID_PAGE.replace("(first: 3)", "(first: 3) @include(if: $on)"),
                                "$id: ID!, $on: Boolean!"), {"on": True}, 2),
    ],
)  # fmt: skip
async def test_backfill_by_id_and_its_page_same_answer_read_together_or_apart(
    many, case, query, extra_variables, statements
):
    from backfill_gateway.resolvers.global_ids import encode_global_id

    variables = {"id": encode_global_id("Backfill", 7), **extra_variables}
    response = await many.graphql(query, variables)
    backfill = response.ok()["backfill"]
    page = backfill.get("slots") or backfill["dagRuns"]
    # Through the listing (its pages are always read apart); the default page size when
    # the case gives none.
    listing_page = "" if case == "no arguments" else "(first: 3)"
    expected = await many.graphql(
        "{ backfills(filter: {backfillIds: [7]}) { nodes { dagId dagRuns" + listing_page
        + " { nodes { sortOrdinal isSkipped dagRun { runId } } } } } }"
    )
    assert {"dagId": backfill["dagId"], "dagRuns": page} == expected.ok()["backfills"]["nodes"][0]
    assert len(response.statements) == statements, case


async def test_backfills_by_id_with_pages_batch_into_one_statement_errors_at_their_path(many):
    from backfill_gateway.resolvers.global_ids import encode_global_id

    ids = {name: encode_global_id("Backfill", n) for name, n in (("a", 7), ("b", 8), ("c", MANY + 1))}
    response = await many.graphql(
        "query($a: ID!, $b: ID!, $c: ID!) { "
        + " ".join(f"{name}: backfill(id: ${name}) {{ {BY_ID_PAGE} }}" for name in ids)
        + " }",
        ids,
    )
    data = response.ok()
    assert [len(data[name]["dagRuns"]["nodes"]) for name in ("a", "b")] == [3, 3]
    assert data["c"] is None  # no such backfill: no page either
    assert len(response.statements) == 1
    # A bad page argument is the page's error, at its path (`dagRuns` is non-null: the
    # backfill is null); the backfill alone was read, by id.
    bad = await many.graphql(by_id_query(BY_ID_PAGE.replace("first: 3", "first: 0")), {"id": ids["a"]})
    assert bad.body["data"] == {"backfill": None}
    (error,) = bad.body["errors"]
    assert error["path"] == ["backfill", "dagRuns"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert len(bad.statements) == 1


async def test_nested_lookups_batch_across_the_response(many):
    response = await many.graphql(
        "{ backfills(first: 100) { totalCount nodes { dag { dagId } dagRuns(first: 5) { nodes { "
        "backfill { backfillId } dagRun { backfill { backfillId } } } } } } }"
    )
    response.ok()
    # page, totalCount, dags, slot pages; slot.backfill and run.backfill hit the primed cache
    assert len(response.statements) == 4


TASK_COUNTS = (
    "taskCounts { total success failed running queued scheduled upForRetry upForReschedule "
    "upstreamFailed skipped deferred removed restarting noState }"
)
# FULL_QUERY plus task counts per backfill and per slot's run (a few states: every field is
# the same column of the same statement), and each slot's blocking run.
FULL_QUERY_WITH_TASKS = FULL_QUERY.replace(
    "progress {", f"{TASK_COUNTS} progress {{"
).replace(
    "clearNumber backfillId }",
    "clearNumber backfillId taskCounts { total success running noState } }\n"
    "          blockingRun { id dagRunId runId state runType }",
)


def check_full_query_with_tasks(response, n: int) -> None:
    nodes = response.ok()["backfills"]["nodes"]
    assert len(nodes) == n
    for node in nodes:
        # 20 runs of 3 task instances each (16 slots ran, 4 skipped) in the first page
        assert node["taskCounts"]["total"] == 20 * 3
        edges = node["dagRuns"]["edges"]
        skipped = [e["node"] for e in edges if e["node"]["isSkipped"]]
        assert len(skipped) == 4
        assert all(s["blockingRun"]["runType"] == "scheduled" for s in skipped)
        assert all(s["blockingRun"]["state"] == "SUCCESS" for s in skipped)
        ran = [e["node"] for e in edges if not e["node"]["isSkipped"]]
        assert all(r["dagRun"]["taskCounts"]["total"] == 3 for r in ran)
        assert all(r["blockingRun"] is None for r in ran)


@pytest.mark.parametrize("n", [5, 50, 500])
async def test_task_counts_and_blocking_runs_add_three_statements_whatever_the_size(many, n):
    response = await many.graphql(FULL_QUERY_WITH_TASKS, {"n": n})
    check_full_query_with_tasks(response, n)
    # the four above, plus task counts by backfill, task counts by run, blocking runs
    assert len(response.statements) == 7, response.statements
    assert response.statements == data_statements(response.statements)
