"""Query shape limits (depth, aliases, root fields) as one graphql-core validation rule,
so a validation cache keyed by document keeps working."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)
from graphql.validation import ASTValidationRule, ValidationContext

from backfill_gateway.web.execution.query_limits import QueryLimits, too_complex

INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})


@dataclass(frozen=True, slots=True)
class Shape:
    depth: int = 0  # levels of fields, the root field being level 1
    aliases: int = 0  # aliased fields, fragments counted where they are spread
    fields: int = 0  # fields of the selection set itself, through fragments


EMPTY = Shape()


def fragment_order(
    fragments: Mapping[str, FragmentDefinitionNode],
) -> list[str]:
    """Fragments in dependency order (a fragment after those it spreads), without
    recursion over fragment chains; fragments in a cycle are left out."""
    spreads = {name: set(_spread_names(fragment.selection_set)) for name, fragment in fragments.items()}
    order: list[str] = []
    state: dict[str, int] = {}  # 1: in progress, 2: done
    for start in fragments:
        if start in state:
            continue
        stack: list[tuple[str, Iterator[str]]] = [(start, iter(spreads[start]))]
        state[start] = 1
        while stack:
            name, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                state[name] = 2
                order.append(name)
            elif child in fragments and child not in state:
                state[child] = 1
                stack.append((child, iter(spreads[child])))
    return order


def _spread_names(selection_set: SelectionSetNode | None) -> Iterator[str]:
    stack = [selection_set] if selection_set else []
    while stack:
        for selection in stack.pop().selections:
            if isinstance(selection, FragmentSpreadNode):
                yield selection.name.value
            elif selection.selection_set is not None:
                stack.append(selection.selection_set)


def _shape(selection_set: SelectionSetNode, fragments: Mapping[str, Shape]) -> Shape:
    depth = aliases = fields = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            fields += 1
            aliases += selection.alias is not None
            if selection.name.value in INTROSPECTION_FIELDS or selection.selection_set is None:
                # Introspection has its own depth rule (graphql-core's MaxIntrospectionDepthRule).
                depth = max(depth, 1)
                continue
            child = _shape(selection.selection_set, fragments)
            depth = max(depth, 1 + child.depth)
            aliases += child.aliases
        else:
            if isinstance(selection, InlineFragmentNode):
                child = _shape(selection.selection_set, fragments)
            else:  # an unknown or cyclic fragment counts as nothing; validation reports it
                child = fragments.get(selection.name.value, EMPTY)
            depth = max(depth, child.depth)
            aliases += child.aliases
            fields += child.fields
    return Shape(depth, aliases, fields)


def check_shape(document, limits: QueryLimits) -> list[GraphQLError]:
    definitions = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    shapes: dict[str, Shape] = {}
    for name in fragment_order(definitions):
        shapes[name] = _shape(definitions[name].selection_set, shapes)
    errors = []
    for operation in document.definitions:
        if not isinstance(operation, OperationDefinitionNode):
            continue
        shape = _shape(operation.selection_set, shapes)
        label = f"Operation `{operation.name.value}`" if operation.name else "The operation"
        if shape.depth > limits.max_depth:
            errors.append(too_complex(
                f"{label} is {shape.depth} levels deep; the limit is {limits.max_depth}.",
                [operation], depth=shape.depth, maxDepth=limits.max_depth,
            ))
        if shape.aliases > limits.max_aliases:
            errors.append(too_complex(
                f"{label} uses {shape.aliases} aliases; the limit is {limits.max_aliases}.",
                [operation], aliases=shape.aliases, maxAliases=limits.max_aliases,
            ))
        if shape.fields > limits.max_root_fields:
            errors.append(too_complex(
                f"{label} selects {shape.fields} root fields; the limit is "
                f"{limits.max_root_fields}.",
                [operation], rootFields=shape.fields, maxRootFields=limits.max_root_fields,
            ))
    return errors


def shape_rule(limits: QueryLimits) -> type[ASTValidationRule]:
    """A validation rule (one class per configuration, so validation caches keep hitting)."""

    class QueryShapeLimits(ASTValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            for error in check_shape(context.document, limits):
                context.report_error(error)

    return QueryShapeLimits
