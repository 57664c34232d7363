"""The executable schema: the Strawberry types with caches, extensions, executor, error codes."""

from __future__ import annotations

from collections.abc import Sequence

import strawberry
from strawberry.extensions import ParserCache, SchemaExtension, ValidationCache
from strawberry.schema.config import StrawberryConfig

from backfill_gateway.schema import SCALAR_MAP, TYPES, Mutation, Query, Subscription
from backfill_gateway.web.execution.error_codes import ErrorCodes
from backfill_gateway.web.execution.fast_path import fast_executor_class


class GatewaySchema(strawberry.Schema):
    def process_errors(self, errors, execution_context=None) -> None:
        # ErrorCodes logs what deserves a log (unexpected errors, with an id);
        # client mistakes are not server errors.
        return None


def build_schema(
    extensions: Sequence[type[SchemaExtension] | SchemaExtension] = (), *, fast_path: bool = True
) -> GatewaySchema:
    """The schema; `fast_path` executes queries through the compiled fast path."""
    return GatewaySchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=TYPES,
        # Parsing and validating a document once per text, not once per request.
        extensions=[
            lambda: ParserCache(maxsize=256),
            lambda: ValidationCache(maxsize=256),
            *extensions,
            ErrorCodes,
        ],
        execution_context_class=fast_executor_class() if fast_path else None,
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
    )
