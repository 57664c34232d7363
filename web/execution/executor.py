"""The gateway's executor: graphql-core's, with each document's operation prepared once and
without the reference cycle each request left."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    Undefined,
    assert_valid_schema,
    coerce_input_value,
    default_field_resolver,
    default_type_resolver,
    is_leaf_type,
    is_non_null_type,
)
from graphql.execution.collect_fields import FragmentDetails
from graphql.execution.get_variable_signature import (
    GraphQLVariableSignature,
    get_variable_signature,
)
from graphql.execution.values import VariableValues, VariableValueSource
from graphql.type.scalars import (
    GRAPHQL_MAX_INT,
    GRAPHQL_MIN_INT,
    coerce_boolean,
    coerce_id,
    coerce_int,
    coerce_string,
)
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from backfill_gateway.schema.lru import LruCache

PREPARED_OPERATIONS = 512

# Built-in scalars whose valid values of one Python type graphql-core returns unchanged:
# such a value is coerced by a type check here, not by coerce_input_value's walk over the
# type (1% of Q3-first's instructions). Anything else goes through graphql-core.
_NO_SHORTCUT, _STR, _INT, _BOOL = 0, 1, 2, 3
_SHORTCUTS = {coerce_id: _STR, coerce_string: _STR, coerce_int: _INT, coerce_boolean: _BOOL}


@dataclass(frozen=True, slots=True)
class PreparedOperation:
    """What graphql-core's `Executor.build` derives from a document and an operation name
    before it looks at the variables' values: the operation, the fragments, and each
    variable's signature (its type read from the schema)."""

    operation: OperationDefinitionNode
    fragment_definitions: dict[str, FragmentDefinitionNode]
    fragments: dict[str, FragmentDetails]
    # (signature, of a leaf type, needed: non-null or with a default value, non-null,
    # shortcut)
    variables: tuple[tuple[GraphQLVariableSignature, bool, bool, bool, int], ...]

    def coerce(self, raw: dict[str, Any]) -> VariableValues | None:
        """The variables as graphql-core coerces valid ones; None for anything it would
        report (a missing or null non-null variable, an invalid value) or treat specially
        (a default to apply): graphql-core coerces those and reports."""
        sources: dict[str, VariableValueSource] = {}
        coerced: dict[str, Any] = {}
        for signature, leaf, needed, non_null, shortcut in self.variables:
            name = signature.name
            value = raw.get(name, Undefined)
            if value is Undefined:
                if needed:
                    return None
                sources[name] = VariableValueSource(signature)
                continue
            sources[name] = VariableValueSource(signature, value)
            if not leaf:
                return None
            if value is None:  # as coerce_input_value: null for a nullable type only
                if non_null:
                    return None
                coerced[name] = None
                continue
            kind = type(value)
            if (
                (shortcut == _STR and kind is str)
                or (shortcut == _INT and kind is int and GRAPHQL_MIN_INT <= value <= GRAPHQL_MAX_INT)
                or (shortcut == _BOOL and kind is bool)
            ):
                coerced[name] = value
                continue
            coerced_value = coerce_input_value(value, signature.type)
            if coerced_value is Undefined:
                return None
            coerced[name] = coerced_value
        return VariableValues(sources, coerced)


def _prepared(
    schema: GraphQLSchema, document: DocumentNode, operation_name: str | None
) -> PreparedOperation | None:
    """The document's operation prepared as `Executor.build` prepares it; None where build
    reports an error or does more (several or no matching operations, fragment variables,
    a variable whose type the schema lacks, variables of list or input-object types)."""
    operations = [
        d for d in document.definitions
        if isinstance(d, OperationDefinitionNode)
        and (operation_name is None or (d.name is not None and d.name.value == operation_name))
    ]  # fmt: skip
    if len(operations) != 1:
        return None
    assert_valid_schema(schema)  # as build does (the result is cached in the schema)
    fragment_definitions: dict[str, FragmentDefinitionNode] = {}
    fragments: dict[str, FragmentDetails] = {}
    for definition in document.definitions:
        if isinstance(definition, FragmentDefinitionNode):
            if definition.variable_definitions:
                return None
            fragment_definitions[definition.name.value] = definition
            fragments[definition.name.value] = FragmentDetails(definition)
    variables = []
    for variable_definition in operations[0].variable_definitions or ():
        signature = get_variable_signature(schema, variable_definition)
        if isinstance(signature, GraphQLError):
            return None
        non_null = is_non_null_type(signature.type)
        named = signature.type.of_type if non_null else signature.type
        needed = non_null or variable_definition.default_value is not None
        shortcut = _SHORTCUTS.get(getattr(named, "parse_value", None), _NO_SHORTCUT)
        variables.append((signature, is_leaf_type(named), needed, non_null, shortcut))
    return PreparedOperation(operations[0], fragment_definitions, fragments, tuple(variables))


# (schema, document, operation name) by their ids -> (schema, document, prepared or None);
# holding both keeps their ids from being reused while the entry lives. Documents come
# from the parser cache and the prepared queries: one object per query text.
_operations: LruCache[tuple[int, int, str | None], tuple] = LruCache(PREPARED_OPERATIONS)


def prepared_operation(
    schema: GraphQLSchema, document: DocumentNode, operation_name: str | None
) -> PreparedOperation | None:
    return _operations.get_or_compute(
        (id(schema), id(document), operation_name),
        lambda: (schema, document, _prepared(schema, document, operation_name)),
    )[2]


class Executor(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor, built from an operation prepared once per document, that
    lets go of its request as soon as the response is built."""

    @classmethod
    def build(  # noqa: PLR0913
        cls,
        schema,
        document,
        root_value=None,
        context_value=None,
        raw_variable_values=None,
        operation_name=None,
        field_resolver=None,
        type_resolver=None,
        subscribe_field_resolver=None,
        max_coercion_errors=50,
        enable_early_execution=False,
        middleware=None,
        is_awaitable=None,
        is_async_iterable=None,
        hide_suggestions=False,
        abort_signal=None,
        hooks=None,
        **custom_args,
    ):
        """As graphql-core's `Executor.build`, which finds the operation and the
        fragments and reads each variable's type from the schema on every request
        (Q3-first: 4.5% of its instructions, bench/README.md). Here that is done once
        per document; what graphql-core would report or handle otherwise goes to it."""
        prepared = None if middleware is not None else prepared_operation(
            schema, document, operation_name
        )
        variables = prepared.coerce(raw_variable_values or {}) if prepared is not None else None
        if variables is None:
            return super().build(
                schema, document, root_value, context_value, raw_variable_values,
                operation_name, field_resolver, type_resolver, subscribe_field_resolver,
                max_coercion_errors, enable_early_execution, middleware, is_awaitable,
                is_async_iterable, hide_suggestions=hide_suggestions,
                abort_signal=abort_signal, hooks=hooks, **custom_args,
            )  # fmt: skip
        return cls(
            schema, prepared.fragment_definitions, prepared.fragments, root_value,
            context_value, prepared.operation, variables,
            field_resolver or default_field_resolver, type_resolver or default_type_resolver,
            subscribe_field_resolver or default_field_resolver, enable_early_execution,
            None, is_awaitable, is_async_iterable, hide_suggestions=hide_suggestions,
            abort_signal=abort_signal, hooks=hooks, **custom_args,
        )  # fmt: skip

    def build_response(self, data):
        response = super().build_response(data)
        # graphql-core's executor holds bound methods of itself (`async_helpers`): a
        # reference cycle through which the request's context, read session and
        # variables outlived the request until the cyclic collector found them. With the
        # gateway's young-generation threshold (web/gc_tuning.py) that was a collection
        # every few thousand requests, walking ~100,000 objects for ~30 ms while every
        # request of the worker waited: the p99 of a small query. Broken here, they are
        # freed by reference counting as each request ends. An incremental result
        # (@defer/@stream) would still need the helpers.
        if type(response) is ExecutionResult:
            self.async_helpers = None
        return response
