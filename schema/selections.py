"""What a query selects below a field, so resolvers fetch only the columns it needs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import strawberry
from graphql.language import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionNode,
)

from backfill_gateway.schema.lru import LruCache

# Where a slot's dag run sits below `dagRuns`: through edges or the nodes shortcut.
DAG_RUN_PATHS = (("edges", "node", "dagRun"), ("nodes", "dagRun"))
CACHE_SIZE = 1024

# The answer depends only on the document: cached by its text and the field's position.
_columns_by_field: LruCache[tuple[str, int], tuple[str, ...]] = LruCache(CACHE_SIZE)
_children_by_field: LruCache[tuple[str, int, str], tuple[FieldNode, ...] | None] = LruCache(
    CACHE_SIZE
)
_field_names_by_operation: LruCache[tuple[str, str | None], frozenset[str]] = LruCache(CACHE_SIZE)


def _fields(
    selections: Iterable[SelectionNode], fragments: Mapping[str, FragmentDefinitionNode]
) -> Iterable[FieldNode]:
    """Fields of a selection set, fragments flattened (over-approximating is safe)."""
    for selection in selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _fields(selection.selection_set.selections, fragments)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                yield from _fields(fragment.selection_set.selections, fragments)


def fields_at(
    selections: Iterable[SelectionNode],
    path: Sequence[str],
    fragments: Mapping[str, FragmentDefinitionNode],
) -> set[str]:
    """Names of the fields selected at the end of `path` below these selections."""
    names: set[str] = set()
    for field in _fields(selections, fragments):
        if not path:
            names.add(field.name.value)
        elif field.name.value == path[0] and field.selection_set is not None:
            names |= fields_at(field.selection_set.selections, path[1:], fragments)
    return names


def dag_run_columns(info: strawberry.Info, columns_of: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The dag run record attributes the `dagRuns` field being resolved needs."""
    raw = info._raw_info  # graphql-core's info: the field's AST nodes and the fragments
    return dag_run_columns_of(raw.field_nodes, raw.fragments, columns_of)


def dag_run_columns_of(
    field_nodes: Sequence[FieldNode],
    fragments: Mapping[str, FragmentDefinitionNode],
    columns_of: dict[str, tuple[str, ...]],
) -> tuple[str, ...]:
    """The dag run record attributes a `dagRuns` field of these AST nodes needs."""
    node = field_nodes[0]
    key = (node.loc.source.body, node.loc.start) if node.loc is not None else None

    def compute() -> tuple[str, ...]:
        selected: set[str] = set()
        for field_node in field_nodes:
            if field_node.selection_set is None:
                continue
            for path in DAG_RUN_PATHS:
                selected |= fields_at(field_node.selection_set.selections, path, fragments)
        needed = {"dag_run_id"}  # always: it tells a run from a skipped slot
        for name in selected:
            needed.update(columns_of.get(name, ()))
        return tuple(sorted(needed))

    if key is None:
        return compute()
    return _columns_by_field.get_or_compute(key, compute)


def _collect_named(
    selections: Iterable[SelectionNode],
    fragments: Mapping[str, FragmentDefinitionNode],
    name: str,
    into: list[FieldNode],
) -> bool:
    """Append the fields called `name` of a selection set, fragments flattened; False
    when a fragment on the way carries a directive (whether it applies is per request)."""
    for selection in selections:
        if isinstance(selection, FieldNode):
            if selection.name.value == name:
                into.append(selection)
            continue
        if selection.directives:
            return False
        if isinstance(selection, InlineFragmentNode):
            inner = selection.selection_set
        else:
            fragment = fragments.get(selection.name.value)
            inner = fragment.selection_set if fragment is not None else None
        if inner is not None and not _collect_named(inner.selections, fragments, name, into):
            return False
    return True


def child_field_nodes(info: strawberry.Info, name: str) -> tuple[FieldNode, ...] | None:
    """The AST nodes of the field `name` selected right below the field being resolved,
    as graphql-core will hand them to that field's resolver (one call with all of them):
    None unless they exist, share one response key and carry no directive (@skip or
    @include could leave the field out)."""
    raw = info._raw_info
    node = raw.field_nodes[0]

    def compute() -> tuple[FieldNode, ...] | None:
        children: list[FieldNode] = []
        for field_node in raw.field_nodes:
            if field_node.selection_set is not None and not _collect_named(
                field_node.selection_set.selections, raw.fragments, name, children
            ):
                return None
        response_keys = {(child.alias or child.name).value for child in children}
        if len(response_keys) != 1 or any(child.directives for child in children):
            return None
        return tuple(children)

    if node.loc is None:
        return compute()
    key = (node.loc.source.body, node.loc.start, name)
    return _children_by_field.get_or_compute(key, compute)


def operation_key(info: strawberry.Info) -> tuple[str, str | None] | None:
    """What answers about the request's operation are cached by: its document's text and
    its name (None for a document built without a source)."""
    operation = info._raw_info.operation
    if operation.loc is None:
        return None
    return operation.loc.source.body, operation.name.value if operation.name else None


def root_field_count(info: strawberry.Info, name: str) -> int:
    """How many root fields of the request's operation are called `name` (fragments
    flattened, aliases counted apart). Not cached: for answers cached per `operation_key`."""
    raw = info._raw_info
    return sum(
        field.name.value == name
        for field in _fields(raw.operation.selection_set.selections, raw.fragments)
    )


def nested_field_names(info: strawberry.Info) -> set[str]:
    """Names of every field below the request operation's root fields (a fragment's fields
    all count as below: over-approximating is safe). Not cached: for answers cached per
    `operation_key`."""
    raw = info._raw_info
    nested: set[str] = set()
    for root in _fields(raw.operation.selection_set.selections, raw.fragments):
        if root.selection_set is not None:
            _all_field_names(root.selection_set.selections, nested)
    for fragment in raw.fragments.values():
        _all_field_names(fragment.selection_set.selections, nested)
    return nested


def _all_field_names(selections: Iterable[SelectionNode], into: set[str]) -> None:
    for selection in selections:
        if isinstance(selection, FieldNode):
            into.add(selection.name.value)
        if getattr(selection, "selection_set", None) is not None:
            _all_field_names(selection.selection_set.selections, into)


def document_selects(info: strawberry.Info, field_name: str) -> bool:
    """Whether a field of this name is selected anywhere in the request's operation or
    the document's fragments (on any type: over-approximating is safe). For values a
    whole request shares, such as records a listing primes into a DataLoader."""
    return field_name in _document_field_names(info)


def document_selects_any(info: strawberry.Info, field_names: frozenset[str]) -> bool:
    """Whether a field of any of these names is selected anywhere (as `document_selects`)."""
    return not _document_field_names(info).isdisjoint(field_names)


def _document_field_names(info: strawberry.Info) -> frozenset[str]:
    raw = info._raw_info
    operation = raw.operation

    def compute() -> frozenset[str]:
        names: set[str] = set()
        _all_field_names(operation.selection_set.selections, names)
        for fragment in raw.fragments.values():
            _all_field_names(fragment.selection_set.selections, names)
        return frozenset(names)

    key = operation_key(info)
    if key is None:
        return compute()
    return _field_names_by_operation.get_or_compute(key, compute)
