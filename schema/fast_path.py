"""A compiled fast path for query execution, behind Strawberry's executor hook.

GraphQL execution, not SQL, dominates a large response: graphql-core builds
an info object and a path, calls Strawberry's field wrapper and coerces the
value for every one of thousands of fields. This executor plans each
validated query document once (cached by its text) and then runs the plan:

* plain attribute fields (Strawberry "basic" fields) are read with getattr
  and serialized by a per-type function chosen at planning time;
* fields with resolvers are called exactly as graphql-core calls them
  (Strawberry's wrapper, a real resolve info, coerced arguments), and their
  awaitables are gathered level by level, so DataLoaders batch as before.

It only runs the happy path. Anything irregular (an exception, a null in a
non-null position, an object of an unexpected type) abandons the fast run and
executes the operation again with the standard executor, which produces the
errors. Only queries take this path: re-running them is free of side effects,
and the request's DataLoaders serve the second run from their cache.
Documents using directives, introspection or fragment variables, and
schemas with resolver middleware, always use the standard executor.
"""

from __future__ import annotations

import asyncio
import math
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLString,
    OperationType,
    get_named_type,
    is_abstract_type,
    is_leaf_type,
)
from graphql.execution.collect_fields import collect_fields, collect_subfields
from graphql.execution.values import get_argument_values
from graphql.language import FragmentDefinitionNode, FragmentSpreadNode, Node
from graphql.pyutils import Path, is_iterable
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

MAX_INT = 2**31 - 1
MIN_INT = -(2**31)
PLAN_CACHE_SIZE = 512


class Fallback(Exception):
    """The fast path stops; the standard executor runs the operation instead."""


class _Unsupported(Exception):
    """The document uses something the fast path does not plan."""


# --------------------------------------------------------------------------- leaves


def _leaf_serializer(leaf_type) -> Callable[[Any], Any]:
    """Serialize exactly like graphql-core's complete_leaf_value, faster for common values."""
    coerce = leaf_type.coerce_output_value

    def checked(value: Any) -> Any:
        coerced = coerce(value)
        if coerced is None:
            raise Fallback
        return coerced

    if leaf_type is GraphQLString or leaf_type is GraphQLID:
        return lambda value: value if type(value) is str else checked(value)
    if leaf_type is GraphQLInt:
        return lambda value: (
            value if type(value) is int and MIN_INT <= value <= MAX_INT else checked(value)
        )
    if leaf_type is GraphQLFloat:
        return lambda value: (
            value if type(value) is float and math.isfinite(value) else checked(value)
        )
    if leaf_type is GraphQLBoolean:
        return lambda value: value if type(value) is bool else checked(value)
    if isinstance(leaf_type, GraphQLEnumType):
        names: dict[Any, str] = {}
        for name, enum_value in leaf_type.values.items():
            names[enum_value.value] = name
        for member in getattr(leaf_type, "wrapped_cls", None) or ():
            names.setdefault(member, names.get(member.value))
        names.pop(None, None)

        def enum_name(value: Any) -> str:
            try:
                name = names.get(value)
            except TypeError:  # unhashable
                name = None
            return name if name is not None else checked(value)

        return enum_name
    return checked


# --------------------------------------------------------------------------- plans


class FieldPlan:
    __slots__ = (
        "response_key", "kind", "python_name", "complete", "field_def", "field_details",
        "field_nodes", "has_args", "parent_type", "typename", "needs_path",
    )  # fmt: skip

    TYPENAME, ATTRIBUTE, RESOLVER = 0, 1, 2


class Planner:
    """Compiles an operation into nested closures, one per field and type position."""

    def __init__(self, executor: StrawberryGraphQLCoreExecutionContext) -> None:
        self.executor = executor
        self.schema = executor.schema
        self.object_plans: dict[tuple[str, int], list[FieldPlan]] = {}

    def plan_operation(self) -> list[FieldPlan]:
        executor = self.executor
        root_type = self.schema.query_type
        grouped, _defer, _forbidden = collect_fields(
            self.schema, executor.fragments, executor.variable_values, root_type,
            executor.operation, executor.hide_suggestions,
        )  # fmt: skip
        return self._fields(root_type, grouped)

    def _fields(self, parent_type: GraphQLObjectType, grouped) -> list[FieldPlan]:
        plans = []
        for response_key, field_details in grouped.items():
            node = field_details[0].node
            name = node.name.value
            plan = FieldPlan()
            plan.response_key = response_key
            plan.parent_type = parent_type
            if name == "__typename":
                plan.kind = FieldPlan.TYPENAME
                plan.typename = parent_type.name
                plans.append(plan)
                continue
            if name.startswith("__"):
                raise _Unsupported(name)  # introspection
            field_def = parent_type.fields.get(name)
            if field_def is None:
                raise _Unsupported(name)
            plan.field_def = field_def
            plan.field_details = field_details
            plan.field_nodes = [details.node for details in field_details]
            plan.has_args = bool(field_def.args or node.arguments)
            # Only positions holding objects need their path (for resolvers' info below them).
            plan.needs_path = not is_leaf_type(get_named_type(field_def.type))
            plan.complete = self._completer(field_def.type, field_details)
            resolve = field_def.resolve
            if getattr(resolve, "_is_default", False):
                plan.kind = FieldPlan.ATTRIBUTE
                backref = field_def.extensions.get("strawberry-definition")
                plan.python_name = backref.python_name if backref is not None else name
            else:
                plan.kind = FieldPlan.RESOLVER
            plans.append(plan)
        return plans

    def _object_plan(self, object_type: GraphQLObjectType, field_details) -> list[FieldPlan]:
        key = (object_type.name, id(field_details))
        plan = self.object_plans.get(key)
        if plan is None:
            executor = self.executor
            grouped, _defer, _forbidden = collect_subfields(
                self.schema, executor.fragments, executor.variable_values, executor.operation,
                object_type, field_details, executor.hide_suggestions,
            )  # fmt: skip
            plan = self.object_plans[key] = []  # guards against recursion while planning
            plan.extend(self._fields(object_type, grouped))
        return plan

    def _completer(self, return_type, field_details) -> Callable[[Any, Path, "Run"], Any]:
        if isinstance(return_type, GraphQLNonNull):
            inner = self._completer(return_type.of_type, field_details)

            def non_null(value, path, run):
                completed = inner(value, path, run)
                if completed is None:
                    raise Fallback
                return completed

            return non_null

        if isinstance(return_type, GraphQLList):
            item = self._completer(return_type.of_type, field_details)

            if is_leaf_type(get_named_type(return_type)):

                def leaves(value, path, run):
                    if value is None:
                        return None
                    if not is_iterable(value):
                        raise Fallback
                    return [item(entry, None, run) for entry in value]

                return leaves

            def list_(value, path, run):
                if value is None:
                    return None
                if not is_iterable(value):
                    raise Fallback
                return [item(entry, path.add_key(index), run) for index, entry in enumerate(value)]

            return list_

        if is_leaf_type(return_type):
            serialize = _leaf_serializer(return_type)

            def leaf(value, path, run):
                return None if value is None else serialize(value)

            return leaf

        if is_abstract_type(return_type):
            candidates = [
                (possible, possible.is_type_of)
                for possible in self.schema.get_possible_types(return_type)
            ]
            if any(is_type_of is None for _, is_type_of in candidates):
                raise _Unsupported(return_type.name)
            lazy_plans: dict[str, list[FieldPlan]] = {}

            def abstract(value, path, run):
                if value is None:
                    return None
                matches = [t for t, is_type_of in candidates if is_type_of(value, None)]
                if len(matches) != 1:
                    raise Fallback
                (runtime_type,) = matches
                plan = lazy_plans.get(runtime_type.name)
                if plan is None:
                    plan = lazy_plans[runtime_type.name] = self._object_plan(runtime_type, field_details)
                return run.object(plan, value, path)

            return abstract

        object_type: GraphQLObjectType = return_type
        is_type_of = object_type.is_type_of
        holder: list[list[FieldPlan]] = []

        def object_(value, path, run):
            if value is None:
                return None
            if is_type_of is not None and not is_type_of(value, None):
                raise Fallback
            if not holder:
                holder.append(self._object_plan(object_type, field_details))
            return run.object(holder[0], value, path)

        return object_


# --------------------------------------------------------------------------- runs


class Run:
    """One execution of a plan: completes objects now, resolver awaitables level by level."""

    __slots__ = ("executor", "pending", "arguments")

    def __init__(self, executor: StrawberryGraphQLCoreExecutionContext) -> None:
        self.executor = executor
        self.pending: list[tuple[Any, dict, str, FieldPlan, Path]] = []
        self.arguments: dict[int, dict[str, Any]] = {}

    def object(self, plan: list[FieldPlan], source: Any, path: Path | None) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for field in plan:
            kind = field.kind
            if kind == 1:  # attribute
                key = field.response_key
                result[key] = field.complete(
                    getattr(source, field.python_name),
                    Path(path, key, field.parent_type.name) if field.needs_path else None,
                    self,
                )
            elif kind == 0:
                result[field.response_key] = field.typename
            else:
                self.resolve(field, source, path, result)
        return result

    def resolve(self, field: FieldPlan, source: Any, path: Path | None, result: dict) -> None:
        executor = self.executor
        field_path = Path(path, field.response_key, field.parent_type.name)
        info = executor.build_resolve_info(
            field.field_def, field.field_nodes, field.parent_type, field_path
        )
        if field.has_args:
            arguments = self.arguments.get(id(field))
            if arguments is None:
                arguments = self.arguments[id(field)] = get_argument_values(
                    field.field_def, field.field_nodes[0], executor.variable_values,
                    field.field_details[0].fragment_variable_values, executor.hide_suggestions,
                )  # fmt: skip
            value = field.field_def.resolve(source, info, **arguments)
        else:
            value = field.field_def.resolve(source, info)
        if executor.is_awaitable(value):
            result[field.response_key] = None
            self.pending.append((value, result, field.response_key, field, field_path))
        else:
            result[field.response_key] = field.complete(value, field_path, self)

    async def settle(self) -> None:
        """Await resolver results a level at a time; completing them may queue the next level."""
        while self.pending:
            level, self.pending = self.pending, []
            values = await asyncio.gather(*(entry[0] for entry in level), return_exceptions=True)
            for (_, result, key, field, path), value in zip(level, values, strict=True):
                if isinstance(value, BaseException):
                    raise Fallback from value
                result[key] = field.complete(value, path, self)

    def discard(self) -> None:
        for awaitable, *_ in self.pending:
            close = getattr(awaitable, "close", None) or getattr(awaitable, "cancel", None)
            if close is not None:
                close()
        self.pending = []


# --------------------------------------------------------------------------- executor


def _uses_directives_or_fragment_variables(node: Node) -> bool:
    if getattr(node, "directives", None):
        return True
    if isinstance(node, FragmentDefinitionNode) and node.variable_definitions:
        return True
    if isinstance(node, FragmentSpreadNode) and getattr(node, "arguments", None):
        return True
    selection_set = getattr(node, "selection_set", None)
    if selection_set is None:
        return False
    return any(_uses_directives_or_fragment_variables(s) for s in selection_set.selections)


def _plannable(operation, fragments: Iterable[FragmentDefinitionNode]) -> bool:
    """Queries without directives (@skip, @include, @defer, ...) or fragment variables."""
    if operation.operation is not OperationType.QUERY or operation.directives:
        return False
    selections = operation.selection_set.selections
    return not any(_uses_directives_or_fragment_variables(node) for node in (*selections, *fragments))


class FastPathStats:
    """How operations ran: on the fast path, fell back from it, or never planned."""

    __slots__ = ("fast", "fallbacks", "standard")

    def __init__(self) -> None:
        self.fast = self.fallbacks = self.standard = 0


class PlanCache:
    """Plans by query text and operation name; documents the fast path refuses map to None."""

    def __init__(self, size: int = PLAN_CACHE_SIZE) -> None:
        self.size = size
        self._plans: OrderedDict[tuple[str, str | None], list[FieldPlan] | None] = OrderedDict()

    def get(self, key):
        plan = self._plans.get(key, KeyError)
        if plan is not KeyError:
            self._plans.move_to_end(key)
        return plan

    def put(self, key, plan) -> None:
        self._plans[key] = plan
        if len(self._plans) > self.size:
            self._plans.popitem(last=False)


def fast_executor_class(plan_cache: PlanCache | None = None):
    """An executor class for `strawberry.Schema(execution_context_class=...)` with its own cache."""
    cache = plan_cache or PlanCache()

    class FastPathExecutor(StrawberryGraphQLCoreExecutionContext):
        plans = cache
        stats = FastPathStats()

        def execute_operation(self, serially: bool | None = None):
            plan = self._plan()
            if plan is None:
                self.stats.standard += 1
                return super().execute_operation(serially)
            run = Run(self)
            try:
                data = run.object(plan, self.root_value, None)
            except Exception:  # noqa: BLE001 - any irregularity: the standard path decides
                return self._fall_back(run, serially)
            if not run.pending:
                self.stats.fast += 1
                return self.build_response(data)
            return self._settle(run, data, serially)

        async def _settle(self, run: Run, data: dict, serially):
            try:
                await run.settle()
            except Exception:  # noqa: BLE001
                result = self._fall_back(run, serially)
                return await result if self.is_awaitable(result) else result
            self.stats.fast += 1
            return self.build_response(data)

        def _fall_back(self, run: Run, serially):
            run.discard()
            self.stats.fallbacks += 1
            return super().execute_operation(serially)

        def _plan(self) -> list[FieldPlan] | None:
            manager = self.middleware_manager
            if manager is not None and manager.middlewares:
                return None
            if self.abort_signal is not None:
                return None
            operation = self.operation
            location = operation.loc
            key = (
                (location.source.body, operation.name.value if operation.name else None)
                if location is not None
                else None
            )
            if key is not None:
                cached = self.plans.get(key)
                if cached is not KeyError:
                    return cached
            try:
                plannable = _plannable(operation, self.fragment_definitions.values())
                plan = Planner(self).plan_operation() if plannable else None
            except _Unsupported:
                plan = None
            if key is not None:
                self.plans.put(key, plan)
            return plan

    return FastPathExecutor


__all__ = ["Fallback", "FastPathStats", "PlanCache", "fast_executor_class"]
