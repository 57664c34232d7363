"""Field plans: how a resolver is called once its document is known.

A resolver learns two kinds of things from its `info`: what the document selects below
it (which columns, which nested page), the same on every request with that document,
and the request's context and variables. A field plan splits the two. The plan is given
the document's view of the field once, when the fast path compiles the document
(web/execution/fast_path_compiler.py), and returns the function the fast path then
calls on every request, without building a resolve info:

    resolve(source, context, arguments, variables) -> value or awaitable

`arguments` are the resolver's Python arguments (as Strawberry converts them),
`variables` the request's coerced variables. It must answer what the resolver answers:
the fast path's results are compared with the standard executor's byte for byte
(tests/web/execution/executor_twin.py). A plan returning None leaves the field to its
resolver. The standard executor, and so every error, always calls the resolver itself.

A plan is attached with `strawberry.field(..., metadata=planned(plan))`; the fast path
uses it only on a field Strawberry would call with nothing around it (no extensions,
permissions or exception handlers).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import strawberry

# The metadata key of a field's plan.
FIELD_PLAN = "backfill_gateway.field_plan"

# resolve(source, context, arguments, variables)
PlannedResolver = Callable[[Any, Any, dict[str, Any], Mapping[str, Any]], Any]
# plan(info): `info` holds the document (field nodes, fragments, operation, return
# type) and nothing of a request: its context, variables and path are None.
FieldPlan = Callable[[strawberry.Info], PlannedResolver | None]


def planned(plan: FieldPlan) -> dict[str, FieldPlan]:
    """A field's metadata carrying its plan."""
    return {FIELD_PLAN: plan}


def plan_of(definition: Any) -> FieldPlan | None:
    """The plan of a Strawberry field definition, if it has one."""
    metadata = getattr(definition, "metadata", None)
    return metadata.get(FIELD_PLAN) if metadata else None


class ContextOnlyInfo:
    """The `info` a resolver planned by `reads_only_context` is called with: the context
    and nothing else. Reading anything else of it raises AttributeError, so a resolver
    marked wrongly falls back to the standard executor (and its test fails), instead of
    answering wrongly."""

    __slots__ = ("context",)

    def __init__(self, context: Any) -> None:
        self.context = context


def reads_only_context(info: strawberry.Info) -> PlannedResolver:
    """The plan of a resolver that reads nothing of its `info` but `info.context`
    (a loader's `load`): the resolver itself, called with a ContextOnlyInfo."""
    resolver = info._field.base_resolver
    function = resolver.wrapped_func
    info_name = resolver.info_parameter.name if resolver.info_parameter is not None else None
    passes_self = resolver.self_parameter is not None

    def resolve(source, context, arguments, _variables):
        if info_name is not None:
            arguments = {**arguments, info_name: ContextOnlyInfo(context)}
        return function(source, **arguments) if passes_self else function(**arguments)

    return resolve


# The metadata of a field whose resolver reads only `info.context` (or no info at all).
READS_ONLY_CONTEXT = planned(reads_only_context)
