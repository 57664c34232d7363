"""The executable schema: the Strawberry types with caches, extensions, executor, error codes."""

from __future__ import annotations

from collections.abc import Sequence

import strawberry
from strawberry.extensions import ParserCache, SchemaExtension, ValidationCache
from strawberry.schema.config import StrawberryConfig

from backfill_gateway.schema import SCALAR_MAP, TYPES, Mutation, Query, Subscription
from backfill_gateway.web.execution.error_codes import ErrorCodes
from backfill_gateway.web.execution.executor import Executor
from backfill_gateway.web.execution.fast_path import fast_executor_class
from backfill_gateway.web.execution.prepared_queries import PreparedQueries


class GatewaySchema(strawberry.Schema):
    # Queries run before are executed without the per-request pipeline (set by build_schema).
    prepared: PreparedQueries | None = None

    def process_errors(self, errors, execution_context=None) -> None:
        # ErrorCodes logs what deserves a log (unexpected errors, with an id);
        # client mistakes are not server errors.
        return None

    async def execute(self, query, variable_values=None, context_value=None, **options):
        prepared = self.prepared
        if (
            prepared is not None
            and query is not None
            and options.get("root_value") is None
            and options.get("operation_extensions") is None
        ):
            # Only queries are prepared, and every request may run a query.
            known = prepared.lookup(query, options.get("operation_name"))
            if known is not None:
                result = await prepared.run(known, self, variable_values, context_value)
                if result is not None:
                    return result
        return await super().execute(query, variable_values, context_value, **options)


def build_schema(
    extensions: Sequence[type[SchemaExtension] | SchemaExtension] = (),
    *,
    fast_path: bool = True,
    prepared: PreparedQueries | None = None,
) -> GatewaySchema:
    """The schema; `fast_path` executes queries through the compiled fast path, and
    `prepared` (filled by the limits extension, see prepared_queries.py) lets a query
    document run before skip the per-request pipeline."""
    schema = GatewaySchema(
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
        execution_context_class=fast_executor_class() if fast_path else Executor,
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
    )
    schema.prepared = prepared
    return schema
