"""Query limits: tokens, depth, aliases, root fields and node cost, before anything runs.

Everything here is document-level work, done once per request and never per
field. Depth, aliases and root fields are one graphql-core validation rule, so
a validation cache keyed by document keeps working; the node cost needs the
request's variables (`first: $n`), so the document is compiled once into a
small cost program (cached by document text) that each request evaluates.

Cost, in the style of GitHub's node limit: the most nodes a query can return.
Every connection field (one with `first` and `last` arguments) counts its page
size -- `first` or `last`, the configured default page size when both are
omitted, clamped to the maximum page size -- times the page sizes of the
connections above it. Fragments on several types all count (an upper bound).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)
from graphql.validation import ASTValidationRule, NoSchemaIntrospectionCustomRule, ValidationContext
from strawberry.extensions import SchemaExtension

from backfill_gateway.settings import Settings
from backfill_gateway.web import observability

QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})
TOKEN_LIMIT_MESSAGE = "Document contains more than"
COST_CACHE_SIZE = 512


@dataclass(frozen=True)
class QueryLimits:
    max_tokens: int
    max_depth: int
    max_aliases: int
    max_root_fields: int
    max_cost: int
    default_page_size: int
    max_page_size: int
    introspection: bool

    @classmethod
    def from_settings(cls, settings: Settings) -> QueryLimits:
        return cls(
            max_tokens=settings.max_query_tokens,
            max_depth=settings.max_query_depth,
            max_aliases=settings.max_query_aliases,
            max_root_fields=settings.max_root_fields,
            max_cost=settings.max_query_cost,
            default_page_size=settings.default_page_size,
            max_page_size=settings.max_page_size,
            introspection=settings.introspection,
        )


def too_complex(message: str, nodes=None, **extra: Any) -> GraphQLError:
    return GraphQLError(message, nodes, extensions={"code": QUERY_TOO_COMPLEX, **extra})


def mark_token_limit(error: GraphQLError, max_tokens: int) -> bool:
    """Turn graphql-core's "more than N tokens" syntax error into QUERY_TOO_COMPLEX."""
    if TOKEN_LIMIT_MESSAGE not in error.message:
        return False
    error.message = f"The document has more than {max_tokens} tokens; the limit is {max_tokens}."
    error.extensions = {"code": QUERY_TOO_COMPLEX, "maxTokens": max_tokens}
    return True


# --- shape: depth, aliases, root fields ------------------------------------------------


@dataclass(frozen=True, slots=True)
class Shape:
    depth: int = 0  # levels of fields, the root field being level 1
    aliases: int = 0  # aliased fields, fragments counted where they are spread
    fields: int = 0  # fields of the selection set itself, through fragments


EMPTY = Shape()


def _fragment_order(
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
    for name in _fragment_order(definitions):
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


# --- cost: the most nodes a query can return ---------------------------------------------

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
        for name in _fragment_order(definitions)
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


class CostCache:
    """Compiled cost programs by (document text, operation name), least recently used out."""

    def __init__(self, size: int = COST_CACHE_SIZE) -> None:
        self._size = size
        self._programs: OrderedDict[tuple[str, str | None], CostProgram | None] = OrderedDict()

    def program(self, query: str, operation_name: str | None, document, schema) -> CostProgram | None:
        key = (query, operation_name)
        try:
            self._programs.move_to_end(key)
            return self._programs[key]
        except KeyError:
            pass
        program = compile_cost(document, operation_name, schema)
        self._programs[key] = program
        if len(self._programs) > self._size:
            self._programs.popitem(last=False)
        return program


# --- the schema extension ----------------------------------------------------------------


def limits_extension(limits: QueryLimits) -> type[SchemaExtension]:
    """The per-request extension enforcing `limits`; its rules and caches are built once."""
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
                observability.note_operation(_operation_name(context))

        def on_execute(self) -> Iterator[None]:
            context = self.execution_context
            if context._provided_operation_name is None and sum(
                isinstance(d, OperationDefinitionNode) for d in context.graphql_document.definitions
            ) > 1:
                # GetOperation() fails; Strawberry would silently run the first operation.
                context.result = ExecutionResult(None, [GraphQLError(
                    "The document has several operations: say which one to run with "
                    "`operationName`.",
                    extensions={"code": "BAD_USER_INPUT"},
                )])
            if context.result is None and context.query is not None:
                program = cost_cache.program(
                    context.query, context.operation_name, context.graphql_document,
                    context.schema._schema,
                )
                if program is not None:
                    self.cost = cost = evaluate_cost(program, context.variables, limits)
                    observability.note_cost(cost)
                    if cost > limits.max_cost:
                        context.result = ExecutionResult(None, [too_complex(
                            f"This query could return up to {cost:,} nodes; the limit is "
                            f"{limits.max_cost:,}. Each connection counts `first`/`last` "
                            f"({limits.default_page_size} when omitted) times the page sizes "
                            "above it: ask for smaller pages or fewer nested connections.",
                            cost=cost, maxCost=limits.max_cost,
                        )])
            yield

        def get_results(self) -> dict[str, Any]:
            if self.cost is None:
                return {}
            return {"cost": {"nodes": self.cost, "limit": limits.max_cost}}

    return QueryLimitsExtension


def _operation_name(context) -> str | None:
    try:
        return context.operation_name
    except Exception:  # noqa: BLE001 - an unusable document has no name to report
        return None
