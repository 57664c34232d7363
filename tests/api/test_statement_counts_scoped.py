"""Statement counts under a DAG scope: exactly those of tests/api/test_statement_counts.py.

The scope's condition is part of each statement, so a scoped request sends no statement
more, with a scope of exact ids, of patterns, or of both, for 5 or 500 backfills.
"""

# ruff: noqa: F811 - the `many` fixture is shared with test_statement_counts
from __future__ import annotations

import hashlib
from contextlib import AsyncExitStack

import pytest

from tests.api.test_statement_counts import (
    FULL_QUERY,
    FULL_QUERY_WITH_TASKS,
    MANY,
    check_full_query_with_tasks,
)
from tests.conftest import FIXED_NOW, _enter_database, gateway_client
from tests.support.bulk import load_many_backfills
from tests.support.databases import BACKENDS, create_airflow_schema

# bulk_dag_0000 .. bulk_dag_0519: each scope below covers every one of them.
SCOPES = {
    "patterns": "bulk_dag_0*|bulk_dag_?5??|bulk_dag_*",
    "exact-ids": "|".join(f"bulk_dag_{b:04d}" for b in range(1, MANY + 1)),
    "both": "bulk_dag_0001|bulk_*",
}
# Each scope's token is its name.
TOKENS = ",".join(
    f"{name}:reader:{hashlib.sha256(name.encode()).hexdigest()}:dags={globs}"
    for name, globs in SCOPES.items()
)


@pytest.fixture(scope="module", params=BACKENDS)
async def many(request, tmp_path_factory):
    async with AsyncExitStack() as stack:
        database = await _enter_database(request.param, tmp_path_factory, stack)
        engine = await create_airflow_schema(database.url)
        await load_many_backfills(engine, FIXED_NOW, backfills=MANY, slots_each=25)
        await engine.dispose()
        # Statements are counted, not timed: a loaded machine must not time a request out.
        client = gateway_client(
            database.url, max_page_size=MANY, tokens=TOKENS, request_timeout_seconds=120
        )
        yield client
        await client.close()


@pytest.mark.parametrize("scope", sorted(SCOPES))
@pytest.mark.parametrize("n", [5, 500])
async def test_the_full_nested_query_costs_four_statements_under_a_scope(many, scope, n):
    headers = {"Authorization": f"Bearer {scope}"}
    response = await many.graphql(FULL_QUERY, {"n": n}, headers=headers)
    nodes = response.ok()["backfills"]["nodes"]
    assert len(nodes) == n
    assert all(node["dagRuns"]["totalCount"] == 25 for node in nodes)
    assert len(response.statements) == 4, response.statements
    unscoped = await many.graphql(FULL_QUERY, {"n": n})
    assert unscoped.ok() == response.ok()
    assert len(unscoped.statements) == 4


@pytest.mark.parametrize("scope", sorted(SCOPES))
@pytest.mark.parametrize("n", [5, 500])
async def test_task_counts_and_blocking_runs_cost_the_same_under_a_scope(many, scope, n):
    headers = {"Authorization": f"Bearer {scope}"}
    response = await many.graphql(FULL_QUERY_WITH_TASKS, {"n": n}, headers=headers)
    check_full_query_with_tasks(response, n)
    assert len(response.statements) == 7, response.statements
    unscoped = await many.graphql(FULL_QUERY_WITH_TASKS, {"n": n})
    assert unscoped.ok() == response.ok()
    assert len(unscoped.statements) == 7
