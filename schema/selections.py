"""What a query selects below a field, so resolvers fetch only the columns it needs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import strawberry
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

# Where a slot's dag run sits below `dagRuns`: through edges or the nodes shortcut.
DAG_RUN_PATHS = (("edges", "node", "dagRun"), ("nodes", "dagRun"))


def _fields(selections: Iterable[Selection]) -> Iterable[SelectedField]:
    """Fields of a selection set, fragments flattened (over-approximating is safe)."""
    for selection in selections:
        if isinstance(selection, SelectedField):
            yield selection
        elif isinstance(selection, (FragmentSpread, InlineFragment)):
            yield from _fields(selection.selections)


def fields_at(selections: Sequence[Selection], path: Sequence[str]) -> set[str]:
    """Names of the fields selected at the end of `path` below these selections."""
    if not path:
        return {field.name for field in _fields(selections)}
    names: set[str] = set()
    for field in _fields(selections):
        if field.name == path[0]:
            names |= fields_at(field.selections, path[1:])
    return names


def dag_run_columns(info: strawberry.Info, columns_of: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The dag run record attributes the `dagRuns` field being resolved needs.

    Computed once per request and field node: a list of 500 backfills asks 500 times.
    """
    # Strawberry's public Info has no stable key for "this field in this document".
    key = ("dag_run_columns", id(info._raw_info.field_nodes[0]))
    memo = info.context.memo
    columns = memo.get(key)
    if columns is None:
        selected: set[str] = set()
        # `selected_fields` holds the field being resolved; paths start below it.
        for field in info.selected_fields:
            for path in DAG_RUN_PATHS:
                selected |= fields_at(field.selections, path)
        needed = {"dag_run_id"}  # always: it tells a run from a skipped slot
        for name in selected:
            needed.update(columns_of.get(name, ()))
        columns = memo[key] = tuple(sorted(needed))
    return columns
