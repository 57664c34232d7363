"""The GraphQL schema: Strawberry types, enums, inputs and connections (no SQL here).

The executable schema (extensions, executor, error codes) is built by the
execution layer: `backfill_gateway.web.execution.executable_schema`.
"""

from __future__ import annotations

from datetime import datetime

from backfill_gateway.schema.backfill import Backfill
from backfill_gateway.schema.dag import Dag
from backfill_gateway.schema.dag_run import DagRun
from backfill_gateway.schema.mutation import Mutation
from backfill_gateway.schema.query import Query
from backfill_gateway.schema.scalars import DateTime
from backfill_gateway.schema.slot import BackfillDagRun
from backfill_gateway.schema.subscription import Subscription

# Types reached only through interfaces, which Strawberry must be told about.
TYPES = [Backfill, BackfillDagRun, DagRun, Dag]
SCALAR_MAP = {datetime: DateTime}

__all__ = ["SCALAR_MAP", "TYPES", "Mutation", "Query", "Subscription"]
