"""The gateway's executor: graphql-core's, minus the reference cycle each request left."""

from __future__ import annotations

from graphql import ExecutionResult
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext


class Executor(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor that lets go of its request as soon as the response is built.

    graphql-core's executor keeps bound methods of itself (`async_helpers`): a reference
    cycle through which the request's context, read session and variables outlived the
    request until the cyclic collector found them. With the gateway's young-generation
    threshold (web/gc_tuning.py) that was one collection every few thousand requests,
    walking ~100,000 objects for ~30 ms while every request of the worker waited: the
    p99 of a small query. Breaking the cycle once the response is built frees them by
    reference counting, as each request ends.
    """

    def build_response(self, data):
        response = super().build_response(data)
        # An incremental result (@defer/@stream) would still need the helpers.
        if type(response) is ExecutionResult:
            self.async_helpers = None
        return response
