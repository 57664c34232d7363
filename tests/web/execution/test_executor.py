"""web/execution/executor.py: the executor builds from an operation prepared once per
document, coercing variables as graphql-core does, and a finished query leaves nothing
of its request to the cyclic GC.

graphql-core's executor holds bound methods of itself; until the executor let go of
them (web/execution/executor.py), each request's executor, context, read session and
variables waited for a young collection, which came every few thousand requests and
stopped the worker for ~30 ms. Both executors are checked: the `gateway` fixture sends
every query to its standard-executor twin too.
"""

from __future__ import annotations

import gc
from collections import Counter

import pytest
from graphql import parse
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from backfill_gateway.db.session import ReadSession
from backfill_gateway.resolvers.context import RequestContext
from backfill_gateway.web.execution.executor import Executor, prepared_operation

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


REQUEST_OBJECTS = (Executor, RequestContext, ReadSession)


@pytest.mark.parametrize("name", QUERIES)
async def test_no_object_of_a_query_is_left_in_cyclic_garbage(gateway, name):
    query = QUERIES[name]
    query, variables = query if isinstance(query, tuple) else (query, None)
    await gateway.graphql(query, variables)  # warm: plans, caches, connections
    gc.collect()
    # Only this request's objects count. What earlier tests' requests still held alive
    # (for instance through a task not yet run) may let go of during this request: held here, it cannot be taken for this
    # request's garbage. The full run failed once with 18 such objects on MariaDB, more
    # than one request (and its twin's) makes.
    earlier = [o for o in gc.get_objects() if isinstance(o, REQUEST_OBJECTS)]
    earlier_ids = {id(o) for o in earlier}
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        response = await gateway.graphql(query, variables)
        gc.collect()
        left = [
            type(o).__name__
            for o in gc.garbage
            if isinstance(o, REQUEST_OBJECTS) and id(o) not in earlier_ids
        ]
        garbage = Counter(type(o).__name__ for o in gc.garbage).most_common(20)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        del earlier
    assert response.status_code == 200
    assert left == [], f"in cyclic garbage: {garbage}"


# Executor.build: the operation prepared once per document, the variables coerced as
# graphql-core coerces them (checked against graphql-core's own build on random values).

VARIABLES_DOCUMENT = """
query Typed($id: ID!, $first: Int, $after: String, $ratio: Float, $on: Boolean,
            $status: BackfillStatus, $at: DateTime, $conf: JSON) { __typename }
query Other($filter: BackfillFilter, $ids: [ID!], $first: Int = 3, $id: ID) { __typename }
query Plain { __typename }
"""
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats(allow_nan=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["dagIds", "statuses", "createdAfter", "x"]), inner, max_size=3),
    max_leaves=6,
)  # fmt: skip
# Values of the right type more often than not, so that most examples coerce.
PLAUSIBLE = {
    "id": st.text(max_size=6) | st.integers(-5, 5),
    "first": st.integers(-(2**33), 2**33) | st.sampled_from([0, 5, 2**31 - 1, 2**31]),
    "after": st.text(max_size=6),
    "ratio": st.floats(allow_nan=False) | st.integers(),
    "on": st.booleans(),
    "status": st.sampled_from(["RUNNING", "ORPHANED", "COMPLETED", "running"]),
    "at": st.sampled_from(["2026-01-02T03:04:05Z", "2026-01-02T03:04:05.123+02:00", "2026-01-02", "x"]),
    "conf": JSONISH,
    "filter": st.fixed_dictionaries({}, optional={"dagIds": st.lists(st.text(max_size=3)),
                                                   "statuses": st.lists(st.sampled_from(["RUNNING", "X"]))}),
    "ids": st.lists(st.text(max_size=3) | st.integers(0, 9), max_size=3),
}  # fmt: skip
RAW_VARIABLES = st.fixed_dictionaries(
    {}, optional={name: PLAUSIBLE[name] | JSONISH for name in PLAUSIBLE}
)


def _outcome(executor):
    if isinstance(executor, list):
        return ("errors", [error.message for error in executor])
    values = executor.variable_values
    return (
        "executor", executor.operation, executor.fragments,
        {name: (source.value, source.signature.name, str(source.signature.type),
                source.signature.default) for name, source in values.sources.items()},
        values.coerced,
    )  # fmt: skip


@pytest.fixture(scope="module")
def graphql_schema():
    from backfill_gateway.web.execution.executable_schema import build_schema

    return build_schema()._schema


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=RAW_VARIABLES, operation_name=st.sampled_from([None, "Typed", "Other", "Plain", "Missing"]))
def test_build_coerces_variables_as_graphql_core_does(graphql_schema, raw, operation_name):
    document = parse(VARIABLES_DOCUMENT)
    ours = Executor.build(graphql_schema, document, raw_variable_values=raw, operation_name=operation_name)
    theirs = StrawberryGraphQLCoreExecutionContext.build(
        graphql_schema, document, raw_variable_values=raw, operation_name=operation_name
    )
    assert _outcome(ours) == _outcome(theirs)
    prepared = prepared_operation(graphql_schema, document, operation_name)
    event("prepared" if prepared is not None and prepared.coerce(raw) is not None else "graphql-core")


TYPED_VARIABLES = st.fixed_dictionaries(
    {"id": PLAUSIBLE["id"]},
    optional={name: PLAUSIBLE[name] for name in ("first", "after", "ratio", "on", "status", "at", "conf")},
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=TYPED_VARIABLES)
def test_build_coerces_typed_variables_as_graphql_core_does(graphql_schema, raw):
    """Mostly values of the right types: most examples take the prepared operation."""
    document = parse(VARIABLES_DOCUMENT)
    ours = Executor.build(graphql_schema, document, raw_variable_values=raw, operation_name="Typed")
    theirs = StrawberryGraphQLCoreExecutionContext.build(
        graphql_schema, document, raw_variable_values=raw, operation_name="Typed"
    )
    assert _outcome(ours) == _outcome(theirs)
    prepared = prepared_operation(graphql_schema, document, "Typed")
    event("prepared" if prepared.coerce(raw) is not None else "graphql-core")


def test_variables_of_built_in_scalars_are_coerced_by_a_type_check(graphql_schema, monkeypatch):
    """ID, String, Int and Boolean values of their plain type skip coerce_input_value (the
    tests above check the outcome is graphql-core's); any other value or type goes to it."""
    from backfill_gateway.web.execution import executor

    walked = []
    real = executor.coerce_input_value
    monkeypatch.setattr(
        executor, "coerce_input_value", lambda value, type_: walked.append(value) or real(value, type_)
    )
    prepared = prepared_operation(graphql_schema, parse(VARIABLES_DOCUMENT), "Typed")
    plain = {"id": "QmFja2ZpbGw6MQ==", "first": 2**31 - 1, "after": None, "on": False}
    assert prepared.coerce(plain).coerced == plain and walked == []
    assert prepared.coerce({"id": 7, "first": 2.0, "ratio": 1, "status": "RUNNING"}) is not None
    assert walked == [7, 2.0, 1, "RUNNING"]
    assert prepared.coerce({"id": "x", "first": 2**31}) is None and walked[-1] == 2**31


def test_build_prepares_a_document_once_and_takes_the_prepared_operation(graphql_schema):
    document = parse("query($id: ID!, $first: Int) { backfill(id: $id) { backfillId } } fragment F on Backfill { dagId }")
    first = prepared_operation(graphql_schema, document, None)
    assert first is not None and prepared_operation(graphql_schema, document, None) is first
    executor = Executor.build(graphql_schema, document, raw_variable_values={"id": "QmFja2ZpbGw6MQ==", "first": 2})
    assert executor.operation is first.operation and executor.fragments is first.fragments
    assert executor.variable_values.coerced == {"id": "QmFja2ZpbGw6MQ==", "first": 2}
    # graphql-core reports what is wrong, as before.
    wrong = {"first": "two"}
    errors = Executor.build(graphql_schema, document, raw_variable_values=wrong)
    expected = StrawberryGraphQLCoreExecutionContext.build(graphql_schema, document, raw_variable_values=wrong)
    assert len(errors) == 2 and [e.message for e in errors] == [e.message for e in expected]
