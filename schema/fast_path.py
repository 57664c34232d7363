"""A compiled fast path for query execution, behind Strawberry's executor hook.

GraphQL execution, not SQL, dominates a large response: graphql-core builds
an info object and a path, calls Strawberry's field wrapper and coerces the
value for every one of thousands of fields. In the spirit of graphql-jit,
this executor compiles each validated query document once (cached by its
text) into Python functions, one per selection set, and then runs them:

* plain attribute fields (Strawberry "basic" fields) become inline code: a
  getattr and a type check standing in for the scalar's coercion;
* fields with resolvers get a real resolve info and graphql-core's coerced
  arguments; a plain Strawberry resolver (no field extensions, permissions or
  exception handlers) is called directly with its Python arguments, converted
  once per request, instead of through Strawberry's per-call wrapper chain;
  awaitables are gathered level by level, so DataLoaders batch as before;
* response paths are built only above resolvers, which need them.

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
    is_abstract_type,
    is_leaf_type,
)
from graphql.execution.collect_fields import collect_fields, collect_subfields
from graphql.execution.values import get_argument_values
from graphql.language import FragmentDefinitionNode, FragmentSpreadNode, Node
from graphql.pyutils import Path, is_iterable
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.arguments import convert_arguments
from strawberry.types.field import StrawberryField

PLAN_CACHE_SIZE = 512


class Fallback(Exception):
    """The fast path stops; the standard executor runs the operation instead."""


class _Unsupported(Exception):
    """The document uses something the fast path does not compile."""


def _fail(*_: Any) -> Any:
    raise Fallback


# --------------------------------------------------------------------------- leaves


def _checked(leaf_type) -> Callable[[Any], Any]:
    """graphql-core's complete_leaf_value: coerce, and a null result is an error."""
    coerce = leaf_type.coerce_output_value

    def checked(value: Any) -> Any:
        coerced = coerce(value)
        if coerced is None:
            raise Fallback
        return coerced

    return checked


def _enum_serializer(enum_type: GraphQLEnumType) -> Callable[[Any], str]:
    checked = _checked(enum_type)
    names: dict[Any, str] = {v.value: name for name, v in enum_type.values.items()}
    for member in getattr(enum_type, "wrapped_cls", None) or ():
        if member.value in names:
            names.setdefault(member, names[member.value])

    def enum_name(value: Any) -> str:
        try:
            name = names.get(value)
        except TypeError:  # unhashable
            name = None
        return name if name is not None else checked(value)

    return enum_name


# Inline tests under which a built-in scalar's coercion is the identity.
IDENTITY_WHEN = {
    GraphQLString.name: "type({v}) is str",
    GraphQLID.name: "type({v}) is str",
    GraphQLBoolean.name: "type({v}) is bool",
    GraphQLInt.name: "type({v}) is int and -2147483648 <= {v} <= 2147483647",
    GraphQLFloat.name: "type({v}) is float and isfinite({v})",
}


# --------------------------------------------------------------------------- compiler


class ResolverField:
    """A field with a resolver, called the way graphql-core calls it, or directly."""

    __slots__ = (
        "response_key", "parent_type", "field_def", "field_nodes", "field_details",
        "has_args", "complete", "direct",
    )  # fmt: skip


class DirectResolver:
    """A Strawberry resolver that Strawberry's wrapper would call with nothing around it."""

    __slots__ = ("function", "definition", "passes_self", "info_name", "info_class", "convert")

    @classmethod
    def of(cls, field_def, strawberry_schema) -> DirectResolver | None:
        definition = field_def.extensions.get("strawberry-definition")
        # Exactly StrawberryField: subclasses (relay, federation, ...) may shape results.
        if type(definition) is not StrawberryField or strawberry_schema is None:
            return None
        resolver = definition.base_resolver
        if resolver is None or definition.extensions or not callable(resolver.wrapped_func):
            return None
        handlers = getattr(strawberry_schema.schema_converter, "_get_field_exception_handlers", None)
        if handlers is None or handlers(definition):
            return None
        if resolver.parent_parameter or resolver.root_parameter:
            return None
        direct = cls()
        direct.function = resolver.wrapped_func
        direct.definition = definition
        direct.passes_self = resolver.self_parameter is not None
        info = resolver.info_parameter
        direct.info_name = info.name if info is not None else None
        direct.info_class = strawberry_schema.config.info_class
        config, scalars = strawberry_schema.config, strawberry_schema.schema_converter.scalar_registry

        def convert(arguments: dict, info) -> dict:
            return convert_arguments(
                arguments, definition.arguments, scalar_registry=scalars, config=config, info=info
            )

        direct.convert = convert
        return direct


class Compiler:
    """Turns an operation into generated functions sharing one namespace.

    `obj_N(source, path, run)` completes one selection set on one object type
    and returns the response dict; `complete_N(value, path, run)` completes a
    value of one type position (used for items and for resolver results).
    """

    def __init__(self, executor: StrawberryGraphQLCoreExecutionContext) -> None:
        self.executor = executor
        self.schema = executor.schema
        self.strawberry_schema = getattr(executor.schema, "_strawberry_schema", None)
        self.namespace: dict[str, Any] = {
            "Fallback": Fallback, "fail": _fail, "Path": Path, "is_iterable": is_iterable,
            "isfinite": math.isfinite,
        }  # fmt: skip
        # Keyed by the identity of graphql-core's field list, kept alive in the value
        # so that the id cannot be reused by another list while compiling.
        self.objects: dict[tuple[str, int], tuple[str, bool, Any]] = {}
        self.completer_needs_path: dict[str, bool] = {}
        self.counter = 0

    def bind(self, prefix: str, value: Any) -> str:
        self.counter += 1
        name = f"{prefix}_{self.counter}"
        self.namespace[name] = value
        return name

    def define(self, name: str, lines: list[str]) -> None:
        exec("\n".join(lines), self.namespace)  # noqa: S102 - our own generated code
        assert name in self.namespace

    def compile_operation(self) -> Callable[[Any, Run], dict[str, Any]]:
        executor = self.executor
        root_type = self.schema.query_type
        grouped, _defer, _forbidden = collect_fields(
            self.schema, executor.fragments, executor.variable_values, root_type,
            executor.operation, executor.hide_suggestions,
        )  # fmt: skip
        name, _ = self.object_function(root_type, grouped)
        return self.namespace[name]

    # ---- selection sets

    def object_function(self, object_type: GraphQLObjectType, grouped) -> tuple[str, bool]:
        """Name of the function completing `grouped` on `object_type`, and whether it
        needs a real response path (it or something below it calls a resolver)."""
        self.counter += 1
        name = f"obj_{self.counter}"
        lines = [f"def {name}(source, path, run):"]
        entries: list[str] = []
        resolvers: list[str] = []
        needs_path = False
        for index, (response_key, field_details) in enumerate(grouped.items()):
            node = field_details[0].node
            field_name = node.name.value
            key = repr(response_key)
            if field_name == "__typename":
                entries.append(f"{key}: {object_type.name!r}")
                continue
            if field_name.startswith("__"):
                raise _Unsupported(field_name)  # introspection
            field_def = object_type.fields.get(field_name)
            if field_def is None:
                raise _Unsupported(field_name)
            if getattr(field_def.resolve, "_is_default", False):
                definition = field_def.extensions.get("strawberry-definition")
                attribute = definition.python_name if definition is not None else field_name
                value = f"v{index}"
                lines.append(f"    {value} = source.{attribute}")
                path_expr = f"Path(path, {key}, {object_type.name!r})"
                needs_path |= self.emit(lines, "    ", value, field_def.type, field_details, path_expr)
                entries.append(f"{key}: {value}")
            else:
                field = ResolverField()
                field.response_key = response_key
                field.parent_type = object_type
                field.field_def = field_def
                field.field_details = field_details
                field.field_nodes = [details.node for details in field_details]
                field.has_args = bool(field_def.args or node.arguments)
                field.direct = DirectResolver.of(field_def, self.strawberry_schema)
                field.complete = self.namespace[self.completer(field_def.type, field_details)]
                resolvers.append(f"    run.resolve({self.bind('field', field)}, source, path, r)")
                entries.append(f"{key}: None")
                needs_path = True
        lines.append("    r = {" + ", ".join(entries) + "}")
        lines.extend(resolvers)
        lines.append("    return r")
        self.define(name, lines)
        return name, needs_path

    def nested_object(self, object_type: GraphQLObjectType, field_details) -> tuple[str, bool]:
        key = (object_type.name, id(field_details))
        known = self.objects.get(key)
        if known is None:
            executor = self.executor
            grouped, _defer, _forbidden = collect_subfields(
                self.schema, executor.fragments, executor.variable_values, executor.operation,
                object_type, field_details, executor.hide_suggestions,
            )  # fmt: skip
            name, needs_path = self.object_function(object_type, grouped)
            known = self.objects[key] = (name, needs_path, field_details)
        return known[0], known[1]

    # ---- values

    def emit(self, lines, indent, var, gtype, field_details, path_expr) -> bool:
        """Emit code completing `var` (a value of `gtype`) in place; returns whether
        it needs `path_expr`, the response path of this position."""
        non_null = isinstance(gtype, GraphQLNonNull)
        if non_null:
            gtype = gtype.of_type
            lines.append(f"{indent}if {var} is None: raise Fallback")
        else:
            lines.append(f"{indent}if {var} is not None:")
            indent += "    "
        if is_leaf_type(gtype):
            if isinstance(gtype, GraphQLEnumType):
                lines.append(f"{indent}{var} = {self.bind('enum', _enum_serializer(gtype))}({var})")
            elif gtype.name in IDENTITY_WHEN and gtype is self.schema.get_type(gtype.name):
                test = IDENTITY_WHEN[gtype.name].format(v=var)
                serialize = self.bind("scalar", _checked(gtype))
                lines.append(f"{indent}if not ({test}): {var} = {serialize}({var})")
            else:
                lines.append(f"{indent}{var} = {self.bind('scalar', _checked(gtype))}({var})")
            return False
        if isinstance(gtype, GraphQLList):
            item = self.completer(gtype.of_type, field_details)
            item_needs_path = self.completer_needs_path[item]
            lines.append(f"{indent}if not is_iterable({var}): raise Fallback")
            if item_needs_path:
                lines.append(f"{indent}p = {path_expr}")
                lines.append(f"{indent}{var} = [{item}(x, Path(p, i, None), run) for i, x in enumerate({var})]")
            else:
                lines.append(f"{indent}{var} = [{item}(x, None, run) for x in {var}]")
            return item_needs_path
        if is_abstract_type(gtype):
            resolve = self.bind("abstract", self.abstract_completer(gtype, field_details))
            lines.append(f"{indent}{var} = {resolve}({var}, {path_expr}, run)")
            return True
        function, needs_path = self.nested_object(gtype, field_details)
        if gtype.is_type_of is not None:
            is_type_of = self.bind("is_type_of", gtype.is_type_of)
            lines.append(f"{indent}if not {is_type_of}({var}, None): raise Fallback")
        lines.append(f"{indent}{var} = {function}({var}, {path_expr if needs_path else 'None'}, run)")
        return needs_path

    def completer(self, gtype, field_details) -> str:
        """Name of a generated `complete_N(value, path, run)` for one type position."""
        self.counter += 1
        name = f"complete_{self.counter}"
        lines = [f"def {name}(value, path, run):"]
        needs_path = self.emit(lines, "    ", "value", gtype, field_details, "path")
        lines.append("    return value")
        self.define(name, lines)
        self.completer_needs_path[name] = needs_path
        return name

    def abstract_completer(self, abstract_type, field_details) -> Callable:
        candidates = [(t, t.is_type_of) for t in self.schema.get_possible_types(abstract_type)]
        if any(is_type_of is None for _, is_type_of in candidates):
            raise _Unsupported(abstract_type.name)
        functions: dict[str, Callable] = {}

        def complete_abstract(value, path, run):
            matches = [t for t, is_type_of in candidates if is_type_of(value, None)]
            if len(matches) != 1:
                raise Fallback
            runtime_type = matches[0]
            function = functions.get(runtime_type.name)
            if function is None:
                name, _ = self.nested_object(runtime_type, field_details)
                function = functions[runtime_type.name] = self.namespace[name]
            return function(value, path, run)

        return complete_abstract


# --------------------------------------------------------------------------- runs


class Run:
    """One execution: completes objects now, resolver awaitables level by level."""

    __slots__ = ("executor", "pending", "arguments", "python_arguments")

    def __init__(self, executor: StrawberryGraphQLCoreExecutionContext) -> None:
        self.executor = executor
        self.pending: list[tuple[Any, dict, ResolverField, Path]] = []
        self.arguments: dict[int, dict[str, Any]] = {}
        self.python_arguments: dict[int, dict[str, Any]] = {}

    def resolve(self, field: ResolverField, source: Any, path: Path | None, result: dict) -> None:
        executor = self.executor
        field_path = Path(path, field.response_key, field.parent_type.name)
        info = executor.build_resolve_info(
            field.field_def, field.field_nodes, field.parent_type, field_path
        )
        arguments = None
        if field.has_args:
            arguments = self.arguments.get(id(field))
            if arguments is None:
                arguments = self.arguments[id(field)] = get_argument_values(
                    field.field_def, field.field_nodes[0], executor.variable_values,
                    field.field_details[0].fragment_variable_values, executor.hide_suggestions,
                )  # fmt: skip
        direct = field.direct
        if direct is not None:
            value = self.call_direct(direct, field, source, info, arguments)
        elif arguments is not None:
            value = field.field_def.resolve(source, info, **arguments)
        else:
            value = field.field_def.resolve(source, info)
        if executor.is_awaitable(value):
            self.pending.append((value, result, field, field_path))
        else:
            result[field.response_key] = field.complete(value, field_path, self)

    def call_direct(self, direct: DirectResolver, field, source, info, arguments) -> Any:
        strawberry_info = direct.info_class(_raw_info=info, _field=direct.definition)
        # The same field node and variables give the same Python arguments on every
        # parent: convert them once per run (resolvers treat them as read-only).
        kwargs = self.python_arguments.get(id(field))
        if kwargs is None:
            kwargs = self.python_arguments[id(field)] = (
                direct.convert(arguments, strawberry_info) if arguments else {}
            )
        if direct.info_name is not None:
            kwargs = {**kwargs, direct.info_name: strawberry_info}
        if direct.passes_self:
            return direct.function(source, **kwargs)
        return direct.function(**kwargs)

    async def settle(self) -> None:
        """Await resolver results a level at a time; completing them may queue the next level."""
        while self.pending:
            level, self.pending = self.pending, []
            values = await asyncio.gather(*(entry[0] for entry in level), return_exceptions=True)
            for (_, result, field, path), value in zip(level, values, strict=True):
                if isinstance(value, BaseException):
                    raise Fallback from value
                result[field.response_key] = field.complete(value, path, self)

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


def _compilable(operation, fragments: Iterable[FragmentDefinitionNode]) -> bool:
    """Queries without directives (@skip, @include, @defer, ...) or fragment variables."""
    if operation.operation is not OperationType.QUERY or operation.directives:
        return False
    selections = operation.selection_set.selections
    return not any(_uses_directives_or_fragment_variables(n) for n in (*selections, *fragments))


class FastPathStats:
    """How operations ran: on the fast path, fell back from it, or never compiled."""

    __slots__ = ("fast", "fallbacks", "standard")

    def __init__(self) -> None:
        self.fast = self.fallbacks = self.standard = 0


class PlanCache:
    """Compiled operations by query text and operation name; refused ones map to None."""

    def __init__(self, size: int = PLAN_CACHE_SIZE) -> None:
        self.size = size
        self._plans: OrderedDict[tuple[str, str | None], Callable | None] = OrderedDict()

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
            complete_root = self._compiled()
            if complete_root is None:
                self.stats.standard += 1
                return super().execute_operation(serially)
            run = Run(self)
            try:
                data = complete_root(self.root_value, None, run)
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

        def _compiled(self) -> Callable | None:
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
                compilable = _compilable(operation, self.fragment_definitions.values())
                compiled = Compiler(self).compile_operation() if compilable else None
            except _Unsupported:
                compiled = None
            if key is not None:
                self.plans.put(key, compiled)
            return compiled

    return FastPathExecutor


__all__ = ["Fallback", "FastPathStats", "PlanCache", "fast_executor_class"]
