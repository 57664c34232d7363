"""The GraphQL schema: Strawberry types, enums, inputs and connections (no SQL here)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import strawberry
from strawberry.schema.config import StrawberryConfig
from strawberry.extensions import SchemaExtension

from schema.backfill import Backfill
from schema.dag import Dag
from schema.dag_run import DagRun
from schema.errors import ErrorCodes
from schema.mutation import Mutation
from schema.query import Query
from schema.scalars import DateTime
from schema.slot import BackfillDagRun


class GatewaySchema(strawberry.Schema):
    def process_errors(self, errors, execution_context=None) -> None:
        # ErrorCodes logs what deserves a log (unexpected errors, with an id);
        # client mistakes are not server errors.
        return None


def build_schema(extensions: Sequence[type[SchemaExtension] | SchemaExtension] = ()) -> GatewaySchema:
    return GatewaySchema(
        query=Query,
        mutation=Mutation,
        types=[Backfill, BackfillDagRun, DagRun, Dag],
        extensions=[*extensions, ErrorCodes],
        config=StrawberryConfig(scalar_map={datetime: DateTime}),
    )


schema = build_schema()
