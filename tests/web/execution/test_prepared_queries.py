"""Prepared queries: a document run before skips Strawberry's pipeline, and answers the same.

Each case sends a request twice to the gateway (the second is answered by
`PreparedQueries.run`, counted by `runs`) and once to the standard executor's twin
(no fast path, no preparation): the three responses are byte for byte the same,
statements and error codes included.
"""

from __future__ import annotations

import pytest

from backfill_gateway.resolvers.global_ids import encode_global_id
from tests.conftest import gateway_app, standard_executor_twin
from tests.support.gateway import ERROR_ID, GatewayClient

SLOTS = (
    "query Slots($first: Int!, $slots: Int = 3, $after: String) { backfills(first: $first) "
    "{ totalCount nodes { id backfillId status progress { slotCount } "
    "dagRuns(first: $slots, after: $after) "
    "{ edges { cursor node { sortOrdinal isSkipped exceptionReason dagRun { runId state } } } "
    "pageInfo { hasNextPage endCursor } } } } }"
)
TWO_OPERATIONS = (
    "query One { backfills(first: 1) { nodes { backfillId } } } "
    "query Two { backfills(first: 2) { nodes { dagId } } }"
)


# Low enough for a variable to cross it (first: 30, slots: 30 -> 930 nodes).
MAX_COST = 500


@pytest.fixture(scope="module")
async def client(demo_database):
    twin = standard_executor_twin(demo_database.url, max_query_cost=MAX_COST)
    client = GatewayClient(gateway_app(demo_database.url, max_query_cost=MAX_COST), twin=twin)
    yield client
    await client.close()


def prepared(client):
    return client.app.state.schema.prepared


async def send_twice(client, query, variables=None, operation_name=None, method="POST"):
    """The first answer (whole pipeline), the second (prepared) and the SQL of each."""
    runs = prepared(client).runs
    first = await client.graphql(query, variables, operation_name=operation_name, method=method)
    assert prepared(client).runs == runs, "a first request must take the whole pipeline"
    second = await client.graphql(query, variables, operation_name=operation_name, method=method)
    return first, second, prepared(client).runs - runs


def same(first, second) -> None:
    assert first.status_code == second.status_code
    assert ERROR_ID.sub(b"", repr(first.body).encode()) == ERROR_ID.sub(b"", repr(second.body).encode())
    assert len(first.statements) == len(second.statements)


async def test_a_query_run_before_is_prepared_and_answers_the_same(client):
    first, second, runs = await send_twice(client, SLOTS, {"first": 3})
    assert runs == 1
    same(first, second)
    assert "cost" in second.body["extensions"]
    assert len(second.ok()["backfills"]["nodes"]) == 3


async def test_other_variables_reuse_the_prepared_document(client):
    await client.graphql(SLOTS, {"first": 1})
    runs = prepared(client).runs
    for first in (2, 5):
        response = await client.graphql(SLOTS, {"first": first})
        assert len(response.ok()["backfills"]["nodes"]) == first
    assert prepared(client).runs == runs + 2


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        ({"first": "three"}, "BAD_USER_INPUT"),  # refused by the variable's type
        ({}, "BAD_USER_INPUT"),  # a required variable missing
        ({"first": 2, "after": "not-a-cursor"}, "BAD_USER_INPUT"),  # refused by a resolver
    ],
)
async def test_errors_of_a_prepared_query_carry_the_same_codes(client, variables, code):
    await client.graphql(SLOTS, {"first": 1})  # prepared
    runs = prepared(client).runs
    response = await client.graphql(SLOTS, variables)
    assert response.error_codes == [code]
    assert prepared(client).runs == runs + 1


async def test_a_cost_over_the_limit_is_refused_by_the_whole_pipeline(client):
    await client.graphql(SLOTS, {"first": 1})
    runs = prepared(client).runs
    response = await client.graphql(SLOTS, {"first": 30, "slots": 30})
    assert response.error_codes == ["QUERY_TOO_COMPLEX"]
    assert prepared(client).runs == runs  # not answered by the prepared query


async def test_not_found_and_nulls_are_the_same(client):
    missing = encode_global_id("Backfill", 987654321)
    query = "query($id: ID!) { backfill(id: $id) { backfillId dagId } }"
    first, second, runs = await send_twice(client, query, {"id": missing})
    assert runs == 1
    same(first, second)


async def test_get_requests_and_operation_names(client):
    first, second, runs = await send_twice(
        client, TWO_OPERATIONS, operation_name="Two", method="GET"
    )
    assert runs == 1
    same(first, second)
    assert len(second.ok()["backfills"]["nodes"]) == 2
    # The same text with the other operation is another prepared query.
    other, _, runs = await send_twice(client, TWO_OPERATIONS, operation_name="One")
    assert runs == 1 and len(other.ok()["backfills"]["nodes"]) == 1
    # Without an operation name the document is refused, every time.
    for _ in range(2):
        refused = await client.graphql(TWO_OPERATIONS)
        assert refused.error_codes == ["BAD_USER_INPUT"]


@pytest.mark.parametrize(
    "query",
    [
        "{ backfills(first: 1) { nodes { nope } } }",  # invalid: never prepared
        "{ backfills(first: 1) { nodes { backfillId } }",  # does not parse
        "{ __schema { queryType { name } } }",  # introspection (standard executor)
    ],
)
async def test_invalid_documents_are_never_prepared(client, query):
    runs = prepared(client).runs
    first = await client.graphql(query)
    second = await client.graphql(query)
    same(first, second)
    assert prepared(client).runs == runs + (1 if "__schema" in query else 0)


async def test_mutations_are_never_prepared(client):
    mutation = "mutation { finalizeOrphanedBackfills(input: {}) { dryRun } }"
    runs = prepared(client).runs
    for _ in range(2):
        await client.graphql(mutation)
    assert prepared(client).runs == runs


async def test_no_preparation_without_the_fast_path_or_under_tracing(demo_database):
    from backfill_gateway.app import prepared_queries
    from tests.conftest import gateway_settings

    assert prepared_queries(gateway_settings(demo_database.url)) is not None
    assert prepared_queries(gateway_settings(demo_database.url, fast_path=False)) is None
    assert prepared_queries(gateway_settings(demo_database.url, otel_tracing=True)) is None


def planned_runs(client) -> int:
    return prepared(client).planned_runs


async def test_a_query_planned_throughout_runs_without_graphql_core(client, monkeypatch):
    """Every resolver of SLOTS has a plan: its second request is answered without
    graphql-core's `execute` (fast_path.run_planned), and answers the same."""
    from backfill_gateway.web.execution import prepared_queries

    executions = []
    real_execute = prepared_queries.execute

    def counting_execute(*args, **kwargs):
        executions.append(kwargs.get("operation_name"))
        return real_execute(*args, **kwargs)

    monkeypatch.setattr(prepared_queries, "execute", counting_execute)
    planned = planned_runs(client)
    query = SLOTS.replace("query Slots", "query SlotsPlanned")  # not prepared yet
    first, second, runs = await send_twice(client, query, {"first": 4, "slots": 2})
    assert runs == 1 and planned_runs(client) == planned + 1
    assert executions == []
    same(first, second)
    assert len(second.ok()["backfills"]["nodes"]) == 4


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        ({"first": "three"}, "BAD_USER_INPUT"),  # graphql-core coerces and reports
        ({}, "BAD_USER_INPUT"),  # a required variable missing
        ({"first": 2, "after": "not-a-cursor"}, "BAD_USER_INPUT"),  # a resolver refuses it
    ],
)
async def test_what_a_planned_run_cannot_answer_goes_to_graphql_core(client, variables, code):
    await client.graphql(SLOTS, {"first": 1})  # prepared, compiled
    planned = planned_runs(client)
    response = await client.graphql(SLOTS, variables)
    assert response.error_codes == [code]
    assert planned_runs(client) == planned


async def test_a_query_with_a_field_of_an_interface_type_is_not_planned_throughout(client):
    # `node` returns an interface: its object type is known only at run time.
    query = "query($id: ID!) { node(id: $id) { id ... on Backfill { backfillId } } }"
    planned = planned_runs(client)
    first, second, runs = await send_twice(client, query, {"id": encode_global_id("Backfill", 1)})
    assert runs == 1 and planned_runs(client) == planned
    same(first, second)
