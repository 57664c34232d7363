"""The fast path's compiler: one query operation into generated Python functions."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from graphql import (
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    get_named_type,
    is_abstract_type,
    is_leaf_type,
)
from graphql.execution.collect_fields import collect_fields, collect_subfields
from graphql.pyutils import Path, is_iterable
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from backfill_gateway.schema.backfill_nodes import WRITTEN_NODE_TYPES
from backfill_gateway.schema.field_plans import PlannedResolver, plan_of
from backfill_gateway.web.execution.fast_path_fields import (
    IDENTITY_COERCION_TESTS,
    IDENTITY_SERIALIZERS,
    WIRE_VALUES,
    ArgumentRecipe,
    DirectResolver,
    Fallback,
    ResolverField,
    Unsupported,
    checked_leaf,
    enum_names,
    enum_serializer,
    uses_variables,
)

if TYPE_CHECKING:
    from backfill_gateway.web.execution.fast_path_run import FastPathRun


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
            "Fallback": Fallback, "Path": Path, "is_iterable": is_iterable,
            "isfinite": math.isfinite, "datetime": datetime, "UTC": UTC,
        }  # fmt: skip
        # Keyed by the identity of graphql-core's field list, kept alive in the value
        # so that the id cannot be reused by another list while compiling.
        self.objects: dict[tuple[str, int], tuple[str, bool, Any]] = {}
        self.completer_needs_path: dict[str, bool] = {}
        self.counter = 0
        # Resolver fields compiled without a plan, and abstract positions (their objects
        # are compiled when first met): either needs graphql-core's execution.
        self.unplanned = 0

    def bind(self, prefix: str, value: Any) -> str:
        self.counter += 1
        name = f"{prefix}_{self.counter}"
        self.namespace[name] = value
        return name

    def define(self, name: str, lines: list[str]) -> None:
        exec("\n".join(lines), self.namespace)  # noqa: S102 - our own generated code
        assert name in self.namespace

    @property
    def planned_throughout(self) -> bool:
        """Whether the operation compiled so far runs without graphql-core's execution."""
        return self.unplanned == 0

    def compile_operation(self) -> Callable[[Any, FastPathRun], dict[str, Any]]:
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
                raise Unsupported(field_name)  # introspection
            field_def = object_type.fields.get(field_name)
            if field_def is None:
                raise Unsupported(field_name)
            if getattr(field_def.resolve, "_is_default", False):
                definition = field_def.extensions.get("strawberry-definition")
                attribute = definition.python_name if definition is not None else field_name
                value = f"v{index}"
                lines.append(f"    {value} = source.{attribute}")
                path_expr = f"Path(path, {key}, {object_type.name!r})"
                needs_path |= self.emit_completion(lines, "    ", value, field_def.type, field_details, path_expr)
                entries.append(f"{key}: {value}")
            else:
                field = ResolverField()
                field.response_key = response_key
                field.parent_type = object_type
                field.field_def = field_def
                field.field_details = field_details
                field.field_nodes = [details.node for details in field_details]
                field.has_args = bool(field_def.args or node.arguments)
                field.constant_arguments = not any(
                    uses_variables(argument.value)
                    for field_node in field.field_nodes for argument in field_node.arguments or ()
                )  # fmt: skip
                if (
                    field.has_args and not field.constant_arguments
                    and len(field_details) == 1 and field_details[0].fragment_variable_values is None
                ):  # fmt: skip
                    field.argument_recipe = ArgumentRecipe.of(field_def, node)
                field.direct = DirectResolver.of(field_def, self.strawberry_schema)
                complete = self.completer(field_def.type, field_details)
                field.complete = self.namespace[complete]
                field.planned = self.planned(field) if field.direct is not None else None
                if field.planned is not None:
                    field.needs_path = self.completer_needs_path[complete]
                else:
                    self.unplanned += 1
                resolvers.append(f"    run.resolve({self.bind('field', field)}, source, path, r)")
                entries.append(f"{key}: None")
                needs_path |= field.needs_path
        lines.append("    r = {" + ", ".join(entries) + "}")
        lines.extend(resolvers)
        lines.append("    return r")
        self.define(name, lines)
        return name, needs_path

    def planned(self, field: ResolverField) -> PlannedResolver | None:
        """The field's planned resolver, when its resolver has a plan: the plan is given
        the document's view of the field (an info without context, variables or path)."""
        plan = plan_of(field.direct.definition)
        if plan is None:
            return None
        raw = self.executor.build_resolve_info(
            field.field_def, field.field_nodes, field.parent_type, None
        )._replace(root_value=None, variable_values=None, context=None, async_helpers=None)
        return plan(field.direct.info_class(_raw_info=raw, _field=field.direct.definition))

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

    def emit_completion(self, lines, indent, var, gtype, field_details, path_expr) -> bool:
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
                # A known value's name at once (names are never empty); the rest as usual.
                names = self.bind("names", enum_names(gtype))
                serialize = self.bind("enum", enum_serializer(gtype))
                lines.append(f"{indent}{var} = {names}.get({var}) or {serialize}({var})")
            elif gtype.coerce_output_value in IDENTITY_SERIALIZERS:
                lines.append(f"{indent}pass  # the value is its own serialization")
            elif gtype.coerce_output_value in WIRE_VALUES:
                test = WIRE_VALUES[gtype.coerce_output_value].format(v=var)
                serialize = self.bind("scalar", checked_leaf(gtype))
                lines.append(f"{indent}if not ({test}): {var} = {serialize}({var})")
            elif gtype.name in IDENTITY_COERCION_TESTS and gtype is self.schema.get_type(gtype.name):
                test = IDENTITY_COERCION_TESTS[gtype.name].format(v=var)
                serialize = self.bind("scalar", checked_leaf(gtype))
                lines.append(f"{indent}if not ({test}): {var} = {serialize}({var})")
            else:
                lines.append(f"{indent}{var} = {self.bind('scalar', checked_leaf(gtype))}({var})")
            return False
        if isinstance(gtype, GraphQLList):
            item = self.completer(gtype.of_type, field_details)
            item_needs_path = self.completer_needs_path[item]
            lines.append(f"{indent}if not is_iterable({var}): raise Fallback")
            call = f"{item}(x, Path(p, i, None), run)" if item_needs_path else f"{item}(x, None, run)"
            # Items a resolver handed over already written (schema.backfill_nodes): spliced.
            written = WRITTEN_NODE_TYPES.get(get_named_type(gtype.of_type).name)
            if written is not None:
                call = f"x.json if type(x) is {self.bind('written', written)} else {call}"
            if item_needs_path:
                lines.append(f"{indent}p = {path_expr}")
                lines.append(f"{indent}{var} = [{call} for i, x in enumerate({var})]")
            else:
                lines.append(f"{indent}{var} = [{call} for x in {var}]")
            return item_needs_path
        if is_abstract_type(gtype):
            self.unplanned += 1
            resolve = self.bind("abstract", self.abstract_completer(gtype, field_details))
            lines.append(f"{indent}{var} = {resolve}({var}, {path_expr}, run)")
            return True
        function, needs_path = self.nested_object(gtype, field_details)
        record_types = getattr(gtype.is_type_of, "record_types", None)  # schema.node.instances_of
        if record_types is not None:
            types = self.bind("types", record_types)
            lines.append(f"{indent}if not isinstance({var}, {types}): raise Fallback")
        elif gtype.is_type_of is not None:
            is_type_of = self.bind("is_type_of", gtype.is_type_of)
            lines.append(f"{indent}if not {is_type_of}({var}, None): raise Fallback")
        lines.append(f"{indent}{var} = {function}({var}, {path_expr if needs_path else 'None'}, run)")
        return needs_path

    def completer(self, gtype, field_details) -> str:
        """Name of a generated `complete_N(value, path, run)` for one type position."""
        self.counter += 1
        name = f"complete_{self.counter}"
        lines = [f"def {name}(value, path, run):"]
        needs_path = self.emit_completion(lines, "    ", "value", gtype, field_details, "path")
        lines.append("    return value")
        self.define(name, lines)
        self.completer_needs_path[name] = needs_path
        return name

    def abstract_completer(self, abstract_type, field_details) -> Callable:
        candidates = [(t, t.is_type_of) for t in self.schema.get_possible_types(abstract_type)]
        if any(is_type_of is None for _, is_type_of in candidates):
            raise Unsupported(abstract_type.name)
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
