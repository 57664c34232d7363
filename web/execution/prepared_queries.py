"""Prepared queries: a query document this worker has run is not taken through
Strawberry's per-request pipeline again.

Strawberry's `Schema.execute` builds an execution context, four extension context
managers (each finding its hooks by introspection) and runs the parser and validation
caches on every request: ~15% of a small query's CPU in the worker (callgrind, the
benchmark's Q0). Everything that pipeline decides about a document is the same on
every request with the same text and operation name, except two things that depend on
the variables: the cost and the variables' coercion. So the first request goes the
whole way; when it validated, passed the limits and is a query, the limits extension
remembers its document here (`remember`). Later requests with the same text and
operation name run it directly (`run`): the cost is evaluated against the request's
variables (over the limit: the whole pipeline answers, with its error), then the fast
path runs it without graphql-core when every resolver of it has a plan
(fast_path.run_planned), else graphql-core executes it with the schema's executor (the
compiled fast path), and errors get their codes as `ErrorCodes` gives them. The response
is byte for byte the pipeline's (tests/web/execution/test_prepared_queries.py compares
both).

Not used with schema extensions beyond the gateway's own (OpenTelemetry tracing wants
its spans), nor without the fast path.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import DocumentNode, execute
from strawberry.execution import optimized_is_awaitable
from strawberry.types.execution import ExecutionResult

from backfill_gateway.schema.lru import LruCache
from backfill_gateway.web.execution.error_codes import classify
from backfill_gateway.web.execution.query_cost import CostProgram, evaluate_cost
from backfill_gateway.web.execution.query_limits import QueryLimits

PREPARED_QUERIES = 512


@dataclass(frozen=True, slots=True)
class PreparedQuery:
    """A validated query document within the limits, and what running it needs."""

    document: DocumentNode
    operation_name: str | None  # the operation's own name (None when anonymous)
    cost: CostProgram | None


def _ignore(_: Any) -> None:
    return None


class PreparedQueries:
    """The worker's prepared queries by (document text, requested operation name)."""

    def __init__(
        self,
        limits: QueryLimits,
        *,
        on_operation_name: Callable[[str | None], None] = _ignore,
        on_cost: Callable[[int], None] = _ignore,
        maxsize: int = PREPARED_QUERIES,
    ) -> None:
        self.limits = limits
        self.on_operation_name = on_operation_name
        self.on_cost = on_cost
        self._cache: LruCache[tuple[str, str | None], PreparedQuery | None] = LruCache(maxsize)
        self.runs = 0  # requests answered here (tests and the benchmark read it)
        self.planned_runs = 0  # of which without graphql-core (fast_path.run_planned)

    def remember(self, query: str, requested_name: str | None, prepared: PreparedQuery) -> None:
        self._cache.get_or_compute((query, requested_name), lambda: prepared)

    def lookup(self, query: str, requested_name: str | None) -> PreparedQuery | None:
        return self._cache.peek((query, requested_name))

    async def run(
        self,
        prepared: PreparedQuery,
        schema,
        variables: Mapping[str, Any] | None,
        context: Any,
    ) -> ExecutionResult | None:
        """The result, or None when the whole pipeline must answer (cost over the limit)."""
        limits = self.limits
        cost = None
        if prepared.cost is not None:
            cost = evaluate_cost(prepared.cost, variables, limits)
            if cost > limits.max_cost:
                return None
        self.runs += 1
        self.on_operation_name(prepared.operation_name)
        if cost is not None:
            self.on_cost(cost)
        extensions = (
            {"cost": {"nodes": cost, "limit": limits.max_cost}} if cost is not None else {}
        )
        run_planned = getattr(schema.execution_context_class, "run_planned", None)
        if run_planned is not None:
            data = await run_planned(
                schema._schema, prepared.document, prepared.operation_name, variables, context
            )
            if data is not None:
                self.planned_runs += 1
                return ExecutionResult(data=data, errors=None, extensions=extensions)
        result = execute(
            schema._schema,
            prepared.document,
            variable_values=variables,
            operation_name=prepared.operation_name,
            context_value=context,
            is_awaitable=optimized_is_awaitable,
            executor_class=schema.execution_context_class,
        )
        if optimized_is_awaitable(result):
            result = await result
        errors = result.errors
        if errors:
            # Execution and variable errors: no parse or validation phase (ErrorCodes).
            errors = [classify(error, None) for error in errors]
        return ExecutionResult(data=result.data, errors=errors, extensions=extensions)
