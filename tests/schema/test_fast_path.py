"""The compiled fast path is really taken, and steps aside where it must.

Byte-for-byte equality with the standard executor is checked for every query
of the suite by tests/support/gateway.py (each `gateway` request runs twice).
"""

from __future__ import annotations

import pytest

from resolvers.global_ids import encode_global_id


@pytest.fixture
def stats(gateway):
    executor_class = gateway.app.state.schema.execution_context_class
    before = (executor_class.stats.fast, executor_class.stats.fallbacks, executor_class.stats.standard)

    def delta() -> tuple[int, int, int]:
        s = executor_class.stats
        return (s.fast - before[0], s.fallbacks - before[1], s.standard - before[2])

    return delta


async def test_standard_queries_run_on_the_fast_path(gateway, oracle, stats):
    response = await gateway.graphql(
        "{ backfills(first: 50) { totalCount nodes { id status dag { owners } progress { slotCount } "
        "dagRuns(first: 20) { totalCount edges { cursor node { sortOrdinal isSkipped "
        "dagRun { runId state duration conf backfill { backfillId } } } } } } } }"
    )
    response.ok()
    assert stats() == (1, 0, 0)


async def test_fragments_aliases_typename_and_interfaces_run_on_the_fast_path(gateway, oracle, stats):
    response = await gateway.graphql(
        """query($id: ID!) { a: node(id: $id) { __typename ...B } b: backfill(id: $id) { ...B } }
        fragment B on Backfill { x: backfillId ... on Node { id } dagRuns(last: 2) { nodes { __typename } } }""",
        {"id": encode_global_id("Backfill", oracle.case("running"))},
    )
    data = response.ok()
    assert data["a"]["x"] == data["b"]["x"]
    assert stats() == (1, 0, 0)


async def test_errors_fall_back_to_the_standard_executor(gateway, stats):
    response = await gateway.graphql('{ backfills(first: 2) { nodes { dagRuns(after: "x") { totalCount } } } }')
    # The non-null dagRuns nulls its backfill, the non-null list, then data: one error.
    assert response.error_codes == ["BAD_USER_INPUT"]
    assert "data" in response.body and response.data is None
    assert stats() == (0, 1, 0)


@pytest.mark.parametrize(
    "query",
    [
        "query($skip: Boolean!) { backfills(first: 1) { totalCount @skip(if: $skip) } }",
        "{ __schema { queryType { name } } }",
        "{ __type(name: \"Backfill\") { name } }",
    ],
)
async def test_directives_and_introspection_use_the_standard_executor(gateway, stats, query):
    response = await gateway.graphql(query, {"skip": False})
    response.ok()
    assert stats() == (0, 0, 1)
