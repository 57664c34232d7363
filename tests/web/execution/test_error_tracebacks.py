"""web/execution/error_tracebacks.py: an error response leaves nothing to the cyclic GC.

Without forget_tracebacks, each of these requests left its errors, their tracebacks
and the frames they went through (94-141 objects) in reference cycles.
"""

from __future__ import annotations

import gc
from types import FrameType, TracebackType

import pytest
from graphql import GraphQLError

from backfill_gateway.web.execution.error_tracebacks import forget_tracebacks

ERRORS = {
    "an ID that is not one": ('{ backfill(id: "nope") { backfillId } }', "BAD_USER_INPUT"),
    "a cursor that is not one": (
        '{ backfills(first: 1, after: "zzz") { nodes { backfillId } } }', "BAD_USER_INPUT"
    ),
    "a slot cursor of another connection": (
        '{ backfills(first: 1) { nodes { dagRuns(first: 1, after: "WyJ4Il0=") { totalCount } } } }',
        "BAD_USER_INPUT",
    ),
    "a page too large": ("{ backfills(first: 100000) { nodes { backfillId } } }", "BAD_USER_INPUT"),
}


@pytest.mark.parametrize("name", ERRORS)
async def test_an_error_response_leaves_no_cyclic_garbage(gateway, name):
    query, code = ERRORS[name]
    await gateway.graphql(query)  # warm: plans, caches, connections
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        response = await gateway.graphql(query)
        gc.collect()
        left = [
            type(o).__name__
            for o in gc.garbage
            if isinstance(o, TracebackType | FrameType | BaseException)
        ]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert response.error_codes == [code]
    assert left == []


def test_forget_tracebacks_follows_wrapped_errors_causes_and_contexts():
    def raised(error: BaseException) -> BaseException:
        try:
            raise error
        except BaseException as caught:  # noqa: BLE001
            return caught

    context = raised(KeyError("context"))
    cause = raised(ValueError("cause"))
    cause.__context__ = context
    original = raised(RuntimeError("original"))
    original.__cause__ = cause
    located = raised(GraphQLError("located", original_error=original))
    located.__context__ = located  # a loop of its own: visited once
    assert all(e.__traceback__ is not None for e in (context, cause, original, located))
    forget_tracebacks([located, None])
    assert [e.__traceback__ for e in (context, cause, original, located)] == [None] * 4
    forget_tracebacks(None)
