"""A finished query leaves nothing of its request to the cyclic GC.

graphql-core's executor holds bound methods of itself; until the executor let go of
them (web/execution/executor.py), each request's executor, context, read session and
variables waited for a young collection, which came every few thousand requests and
stopped the worker for ~30 ms. Both executors are checked: the `gateway` fixture sends
every query to its standard-executor twin too.
"""

from __future__ import annotations

import gc

import pytest

from backfill_gateway.db.session import ReadSession
from backfill_gateway.resolvers.context import RequestContext
from backfill_gateway.web.execution.executor import Executor

QUERIES = {
    "smallest listing": "{ backfills(first: 1) { nodes { backfillId } } }",
    "nested pages with variables": (
        "query($n: Int!) { backfills(first: $n) { totalCount edges { cursor node { backfillId "
        "status progress { slotCount } dagRuns(first: 3) { totalCount pageInfo { endCursor } "
        "nodes { sortOrdinal exceptionReason dagRun { runId state } } } } } } }",
        {"n": 5},
    ),
    # A directive sends the document to the standard executor from the start.
    "standard executor": (
        "query($x: Boolean!) { backfills(first: 2) { nodes { backfillId dagId @include(if: $x) } } }",
        {"x": True},
    ),
    "a backfill not found": '{ backfill(id: "QmFja2ZpbGw6OTk5OTk5") { backfillId } }',
}


@pytest.mark.parametrize("name", QUERIES)
async def test_no_object_of_a_query_is_left_in_cyclic_garbage(gateway, name):
    query = QUERIES[name]
    query, variables = query if isinstance(query, tuple) else (query, None)
    await gateway.graphql(query, variables)  # warm: plans, caches, connections
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        response = await gateway.graphql(query, variables)
        gc.collect()
        left = [type(o).__name__ for o in gc.garbage if isinstance(o, Executor | RequestContext | ReadSession)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert response.status_code == 200
    assert left == []
