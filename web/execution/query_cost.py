"""Query cost, in the style of GitHub's node limit: the most nodes a query can return.

The node cost needs the request's variables (`first: $n`), so the document is
compiled once into a small cost program (cached by document text) that each
request evaluates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    VariableNode,
    get_named_type,
)

from backfill_gateway.schema.lru import LruCache
from backfill_gateway.web.execution.query_limits import QueryLimits
from backfill_gateway.web.execution.query_shape import fragment_order

COST_CACHE_SIZE = 512

# A compiled selection set is a tuple of terms:
#   (size, child)    a connection: `size` nodes per parent, `child` below each node
#   (None, child)    any other object field: `child` once per parent
#   fragment name    a fragment spread (str)
# and a size is ("lit", n) | ("var", name, default) | ("default",) | ("max", a, b).


@dataclass(frozen=True, slots=True)
class CostProgram:
    operation: tuple
    fragments: tuple[tuple[str, tuple], ...]  # in dependency order


def _size_of(node, variable_defaults: Mapping[str, Any]):
    if node is None:
        return None
    if isinstance(node, IntValueNode):
        return ("lit", int(node.value))
    if isinstance(node, VariableNode):
        return ("var", node.name.value, variable_defaults.get(node.name.value))
    return ("default",)  # null, or a value validation already refused


def _page_size(field: FieldNode, variable_defaults: Mapping[str, Any]):
    args = {argument.name.value: argument.value for argument in field.arguments or ()}
    first = _size_of(args.get("first"), variable_defaults)
    last = _size_of(args.get("last"), variable_defaults)
    if first and last:
        return ("max", first, last)
    return first or last or ("default",)


def _compile(selection_set, parent_type, schema: GraphQLSchema, defaults) -> tuple:
    terms: list = []
    for selection in selection_set.selections:
        if isinstance(selection, FragmentSpreadNode):
            terms.append(selection.name.value)
        elif isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition
            inner_type = schema.get_type(condition.name.value) if condition else parent_type
            terms.extend(_compile(selection.selection_set, inner_type, schema, defaults))
        elif selection.selection_set is not None:
            fields = getattr(parent_type, "fields", None) or {}
            field = fields.get(selection.name.value)
            if field is None:  # introspection, or nothing validation would let through
                continue
            child = _compile(selection.selection_set, get_named_type(field.type), schema, defaults)
            if "first" in field.args and "last" in field.args:
                terms.append((_page_size(selection, defaults), child))
            elif child:
                terms.append((None, child))
    return tuple(terms)


def compile_cost(document, operation_name: str | None, schema: GraphQLSchema) -> CostProgram | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    if len(operations) != 1:
        return None  # execution reports the missing or ambiguous operation
    operation = operations[0]
    defaults = {
        d.variable.name.value: int(d.default_value.value)
        for d in operation.variable_definitions or ()
        if isinstance(d.default_value, IntValueNode)
    }
    definitions = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    fragments = tuple(
        (
            name,
            _compile(
                definitions[name].selection_set,
                schema.get_type(definitions[name].type_condition.name.value),
                schema,
                defaults,
            ),
        )
        for name in fragment_order(definitions)
    )
    root = schema.get_root_type(operation.operation)
    return CostProgram(_compile(operation.selection_set, root, schema, defaults), fragments)


def _evaluate_size(size, variables: Mapping[str, Any], limits: QueryLimits) -> int:
    kind = size[0]
    if kind == "max":
        return max(_evaluate_size(size[1], variables, limits), _evaluate_size(size[2], variables, limits))
    if kind == "lit":
        value = size[1]
    elif kind == "var":
        value = variables.get(size[1], size[2]) if variables else size[2]
    else:
        value = None
    if type(value) is not int:  # omitted, null, or a mistake variable coercion reports
        value = limits.default_page_size
    return max(0, min(value, limits.max_page_size))


def _evaluate(terms: tuple, fragments: Mapping[str, int], variables, limits: QueryLimits) -> int:
    total = 0
    for term in terms:
        if isinstance(term, str):
            total += fragments.get(term, 0)
            continue
        size, child = term
        below = _evaluate(child, fragments, variables, limits) if child else 0
        total += below if size is None else _evaluate_size(size, variables, limits) * (1 + below)
    return total


def evaluate_cost(program: CostProgram, variables: Mapping[str, Any] | None, limits: QueryLimits) -> int:
    values: dict[str, int] = {}
    for name, terms in program.fragments:
        values[name] = _evaluate(terms, values, variables, limits)
    return _evaluate(program.operation, values, variables, limits)


class CostCache(LruCache):
    """Compiled cost programs by (document text, operation name), least recently used out."""

    def __init__(self, maxsize: int = COST_CACHE_SIZE) -> None:
        super().__init__(maxsize)

    def program(self, query: str, operation_name: str | None, document, schema) -> CostProgram | None:
        return self.get_or_compute(
            (query, operation_name), lambda: compile_cost(document, operation_name, schema)
        )
