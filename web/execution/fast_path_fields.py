"""The fast path's building blocks: its control-flow exceptions, leaf coercion,
and how a field with a resolver is called (see fast_path.py for the design)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLError,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLString,
    ListValueNode,
    ObjectValueNode,
    Undefined,
    VariableNode,
    is_non_null_type,
)
from graphql.execution.values import coerce_argument
from strawberry.relay.types import GlobalID
from strawberry.scalars import JSON
from strawberry.schema.types.scalar import DEFAULT_SCALAR_REGISTRY
from strawberry.types.arguments import _is_leaf_type, convert_arguments
from strawberry.types.base import StrawberryMaybe, StrawberryOptional
from strawberry.types.field import StrawberryField

from backfill_gateway.schema.scalars import serialize_datetime


class Fallback(Exception):
    """The fast path stops; the standard executor runs the operation instead."""


class Unsupported(Exception):
    """The document uses something the fast path does not compile."""



def checked_leaf(leaf_type) -> Callable[[Any], Any]:
    """graphql-core's complete_leaf_value: coerce, and a null result is an error."""
    coerce = leaf_type.coerce_output_value

    def checked(value: Any) -> Any:
        coerced = coerce(value)
        if coerced is None:
            raise Fallback
        return coerced

    return checked


def enum_names(enum_type: GraphQLEnumType) -> dict[Any, str]:
    """An enum's response names by internal value (and by Python enum member)."""
    names: dict[Any, str] = {v.value: name for name, v in enum_type.values.items()}
    for member in getattr(enum_type, "wrapped_cls", None) or ():
        if member.value in names:
            names.setdefault(member, names[member.value])
    return names


def enum_serializer(enum_type: GraphQLEnumType) -> Callable[[Any], str]:
    checked = checked_leaf(enum_type)
    names = enum_names(enum_type)

    def enum_name(value: Any) -> str:
        try:
            name = names.get(value)
        except TypeError:  # unhashable
            name = None
        return name if name is not None else checked(value)

    return enum_name



# Inline tests under which a built-in scalar's coercion is the identity.
IDENTITY_COERCION_TESTS = {
    GraphQLString.name: "type({v}) is str",
    GraphQLID.name: "type({v}) is str",
    GraphQLBoolean.name: "type({v}) is bool",
    GraphQLInt.name: "type({v}) is int and -2147483648 <= {v} <= 2147483647",
    GraphQLFloat.name: "type({v}) is float and isfinite({v})",
}



# Values the fast path leaves as they are for the response writer: a UTC-aware
# datetime (the common timestamp) goes to orjson, which writes it exactly as the DateTime
# scalar's serialize_datetime does (`isoformat()`, RFC 3339; checked in
# tests/web/execution/test_fast_path.py); that is 6x cheaper than calling the serializer,
# and a slot page is mostly timestamps. So the fast path's results are for orjson: the
# HTTP endpoint (web/graphql_response.py) and the live transports (LiveView.encode_json)
# write with it. Any other value goes through the serializer as before.
WIRE_VALUES: dict[Callable[[Any], Any], str] = {
    serialize_datetime: "type({v}) is datetime and {v}.tzinfo is UTC",
}

# Scalars whose serializer returns every value as it is (Strawberry's JSON): graphql-core
# calls it and checks for null, which a non-null value never is, so the fast path leaves
# the value as it is without the two calls (a backfill's `dagRunConf`, once per row).
IDENTITY_SERIALIZERS: frozenset[Callable[[Any], Any]] = frozenset({
    DEFAULT_SCALAR_REGISTRY[JSON].serialize,
})  # fmt: skip


class ResolverField:
    """A field with a resolver, called the way graphql-core calls it, or directly."""

    __slots__ = (
        "response_key", "parent_type", "field_def", "field_nodes", "field_details",
        "has_args", "complete", "direct", "constant_arguments", "arguments", "python_arguments",
        "argument_recipe", "planned", "needs_path",
    )  # fmt: skip

    def __init__(self) -> None:
        # Arguments written without variables are the same on every request: coerced and
        # converted once per plan, not once per request (resolvers treat them as read-only).
        self.constant_arguments = False
        self.arguments: dict[str, Any] | None = None
        self.python_arguments: dict[str, Any] | None = None
        # Arguments with variables: how to assemble them from the coerced variables
        # (argument_recipe), when that is all graphql-core would do.
        self.argument_recipe: ArgumentRecipe | None = None
        # A resolver with a plan (schema/field_plans.py) is called as planned, without a
        # resolve info; its response path is built only when something below needs one.
        self.planned: Callable[..., Any] | None = None
        self.needs_path = True


def uses_variables(value) -> bool:
    """Whether an argument's value (a literal, list or input object) names a variable."""
    if isinstance(value, VariableNode):
        return True
    if isinstance(value, ListValueNode):
        return any(uses_variables(item) for item in value.values)
    if isinstance(value, ObjectValueNode):
        return any(uses_variables(field.value) for field in value.fields)
    return False


class ArgumentRecipe:
    """A field's arguments as graphql-core's `get_argument_values` coerces them, for a field
    node whose arguments are variables, literals or absent: the literals and defaults are
    coerced once (per plan), a variable's coerced value is taken as it is. That is what
    graphql-core does for a variable it has a value for (null only where the argument is
    nullable); for anything else (an absent variable: the default applies, or a null for a
    non-null argument: an error) `assemble` answers None and graphql-core decides."""

    __slots__ = ("parts",)

    # (output name, False, the coerced value) or (output name, True, (variable, non-null))
    parts: tuple[tuple[str, bool, Any], ...]

    @classmethod
    def of(cls, field_def, field_node) -> ArgumentRecipe | None:
        """The recipe of a field node, or None when graphql-core must coerce (a literal
        or default it reports as invalid)."""
        recipe = cls()
        nodes = {argument.name.value: argument for argument in field_node.arguments or ()}
        parts: list[tuple[str, bool, Any]] = []
        for name, argument in field_def.args.items():
            out_name = argument.out_name or name
            node = nodes.get(name)
            if node is not None and isinstance(node.value, VariableNode):
                parts.append((out_name, True, (node.value.name.value, is_non_null_type(argument.type))))
                continue
            if node is not None and uses_variables(node.value):
                return None  # a variable inside a list or input object: graphql-core's
            constant: dict[str, Any] = {}
            try:
                coerce_argument(constant, field_node, name, argument, node, None, None)
            except GraphQLError:
                return None
            if out_name in constant:  # else: absent, without a default
                parts.append((out_name, False, constant[out_name]))
        recipe.parts = tuple(parts)
        return recipe

    def assemble(self, coerced_variables: dict[str, Any]) -> dict[str, Any] | None:
        arguments: dict[str, Any] = {}
        for out_name, from_variable, value in self.parts:
            if from_variable:
                name, non_null = value
                value = coerced_variables.get(name, Undefined)
                if value is Undefined or (value is None and non_null):
                    return None
            arguments[out_name] = value
        return arguments


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
        plain = plain_argument_names(definition.arguments, config, scalars)
        nullable = nullable_argument_names(definition.arguments, config)

        def convert(arguments: dict, info) -> dict:
            if arguments.keys() <= plain.keys():
                return {plain[name]: value for name, value in arguments.items()}
            renamed = {}
            for name, value in arguments.items():
                python_name = plain.get(name) or (nullable.get(name) if value is None else None)
                if python_name is None:  # a value of an input, list or enum argument
                    return convert_arguments(
                        arguments, definition.arguments, scalar_registry=scalars, config=config,
                        info=info,
                    )
                renamed[python_name] = value
            return renamed

        direct.convert = convert
        return direct


def plain_argument_names(arguments, config, scalars) -> dict[str, str]:
    """Python names by GraphQL name of the arguments that are (nullable) scalars, which
    Strawberry's `convert_arguments` passes on as graphql-core coerced them: when a call
    has only such arguments, they are renamed, not converted (a function call per
    argument and nesting level saved per resolver call). Inputs, lists, enums, GlobalID
    and Maybe arguments are Strawberry's to convert."""
    names: dict[str, str] = {}
    for argument in arguments:
        type_ = argument.type
        if isinstance(type_, StrawberryMaybe):
            continue
        if isinstance(type_, StrawberryOptional):
            type_ = type_.of_type
        if _is_leaf_type(type_, scalars, skip_classes=(GlobalID,)):
            names[config.name_converter.from_argument(argument)] = argument.python_name
    return names


def nullable_argument_names(arguments, config) -> dict[str, str]:
    """Python names by GraphQL name of the nullable arguments (`T | None`, not `Maybe`),
    whose null Strawberry's `convert_arguments` passes on as None whatever T is: an
    omitted `filter` or `orderBy` (graphql-core gives their default, null) is renamed, not
    converted (a listing with a variable `first` has both on every request)."""
    return {
        config.name_converter.from_argument(argument): argument.python_name
        for argument in arguments
        if isinstance(argument.type, StrawberryOptional)
        and not isinstance(argument.type, StrawberryMaybe)
    }
