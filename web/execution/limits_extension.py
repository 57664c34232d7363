"""The per-request extension enforcing the query limits, before anything runs.

Everything here is document-level work, done once per request and never per
field: the shape rule joins validation, the cost is evaluated before execution.
What the extension learns (operation name, cost) goes to the optional
`on_operation_name` / `on_cost` callbacks (the app wires them to observability).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from graphql import ExecutionResult, GraphQLError, OperationDefinitionNode
from graphql.validation import ASTValidationRule, NoSchemaIntrospectionCustomRule
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from backfill_gateway.web.execution.errors import BAD_USER_INPUT
from backfill_gateway.web.execution.prepared_queries import PreparedQueries, PreparedQuery
from backfill_gateway.web.execution.query_cost import CostCache, evaluate_cost
from backfill_gateway.web.execution.query_limits import QueryLimits, mark_token_limit, too_complex
from backfill_gateway.web.execution.query_shape import shape_rule


def _ignore(_: Any) -> None:
    return None


def limits_extension(
    limits: QueryLimits,
    *,
    on_operation_name: Callable[[str | None], None] = _ignore,
    on_cost: Callable[[int], None] = _ignore,
    prepared: PreparedQueries | None = None,
) -> type[SchemaExtension]:
    """The per-request extension enforcing `limits`; its rules and caches are built once.
    With `prepared`, a query that passed everything here is remembered there, so that
    later requests with the same document skip the pipeline (prepared_queries.py)."""
    rules: tuple[type[ASTValidationRule], ...] = (shape_rule(limits),)
    if not limits.introspection:
        rules += (NoSchemaIntrospectionCustomRule,)
    cost_cache = CostCache()

    class QueryLimitsExtension(SchemaExtension):
        cost: int | None = None

        def on_operation(self) -> Iterator[None]:
            context = self.execution_context
            # graphql-core's parser stops after this many tokens.
            context.parse_options["max_tokens"] = limits.max_tokens
            context.validation_rules = context.validation_rules + rules
            yield

        def on_parse(self) -> Iterator[None]:
            yield
            context = self.execution_context
            for error in context.pre_execution_errors or ():
                mark_token_limit(error, limits.max_tokens)
            if context.graphql_document is not None:
                on_operation_name(_operation_name(context))

        def on_execute(self) -> Iterator[None]:
            context = self.execution_context
            if context._provided_operation_name is None and sum(
                isinstance(d, OperationDefinitionNode) for d in context.graphql_document.definitions
            ) > 1:
                # GetOperation() fails; Strawberry would silently run the first operation.
                context.result = ExecutionResult(None, [GraphQLError(
                    "The document has several operations: say which one to run with "
                    "`operationName`.",
                    extensions={"code": BAD_USER_INPUT.code},
                )])
            program = None
            if context.result is None and context.query is not None:
                program = cost_cache.program(
                    context.query, context.operation_name, context.graphql_document,
                    context.schema._schema,
                )
                if program is not None:
                    self.cost = cost = evaluate_cost(program, context.variables, limits)
                    on_cost(cost)
                    if cost > limits.max_cost:
                        context.result = ExecutionResult(None, [too_complex(
                            f"This query could return up to {cost:,} nodes; the limit is "
                            f"{limits.max_cost:,}. Each connection counts `first`/`last` "
                            f"({limits.default_page_size} when omitted) times the page sizes "
                            "above it: ask for smaller pages or fewer nested connections.",
                            cost=cost, maxCost=limits.max_cost,
                        )])
            if context.result is not None and _is_subscription(context):
                # Strawberry runs a subscription whatever `result` says: refuse it by raising.
                raise context.result.errors[0]
            if (
                prepared is not None
                and context.result is None
                and context.query is not None
                and context.operation_type is OperationType.QUERY
            ):
                # Parsed, validated (or this hook would not run), one operation, within
                # the limits: what is left to check per request is the cost.
                prepared.remember(context.query, context._provided_operation_name, PreparedQuery(
                    context.graphql_document, context.operation_name, program,
                ))
            yield

        def get_results(self) -> dict[str, Any]:
            if self.cost is None:
                return {}
            return {"cost": {"nodes": self.cost, "limit": limits.max_cost}}

    return QueryLimitsExtension


def _is_subscription(context) -> bool:
    try:
        return context.operation_type is OperationType.SUBSCRIPTION
    except Exception:  # noqa: BLE001 - no single operation: not run as a subscription
        return False


def _operation_name(context) -> str | None:
    try:
        return context.operation_name
    except Exception:  # noqa: BLE001 - an unusable document has no name to report
        return None
