"""The GraphQL schema: Strawberry types, enums, inputs and connections (no SQL here)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import strawberry
from strawberry.extensions import ParserCache, SchemaExtension, ValidationCache
from strawberry.schema.config import StrawberryConfig

from backfill_gateway.schema.backfill import Backfill
from backfill_gateway.schema.dag import Dag
from backfill_gateway.schema.dag_run import DagRun
from backfill_gateway.schema.errors import ErrorCodes
from backfill_gateway.schema.fast_path import fast_executor_class
from backfill_gateway.schema.mutation import Mutation
from backfill_gateway.schema.query import Query
from backfill_gateway.schema.scalars import DateTime
from backfill_gateway.schema.slot import BackfillDagRun


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
        types=[Backfill, BackfillDagRun, DagRun, Dag],
        # Parsing and validating a document once per text, not once per request.
        extensions=[
            lambda: ParserCache(maxsize=256),
            lambda: ValidationCache(maxsize=256),
            *extensions,
            ErrorCodes,
        ],
        execution_context_class=fast_executor_class() if fast_path else None,
        config=StrawberryConfig(scalar_map={datetime: DateTime}),
    )


schema = build_schema()
