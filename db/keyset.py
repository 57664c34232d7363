"""Keyset (seek) pagination conditions shared by every connection's SQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, bindparam, tuple_

# Labels of the boundary flags: some item sorts before the page's window (at or
# before the `after` key), some item sorts after it (at or after the `before` key).
# The SQL names are older than these Python names; the recorded SQL keeps them.
BEFORE_WINDOW_FLAG = "exists_up_to_after"
AFTER_WINDOW_FLAG = "exists_from_before"


@dataclass(frozen=True, slots=True)
class Seek:
    """A page request in SQL terms: items strictly between two sort keys, in
    `descending` order, fetched from the far end when `from_end`."""

    limit: int
    descending: bool = False
    from_end: bool = False
    after: Sequence[Any] | None = None
    before: Sequence[Any] | None = None


@dataclass(frozen=True, slots=True)
class PageStatement:
    """A page's statement, its parameters, and the shape of its rows.

    With `has_boundary_flags`, the rows hang off boundary rows that carry the
    EXISTS flags (`BEFORE_WINDOW_FLAG`, `AFTER_WINDOW_FLAG`) and may have no item
    (NULL item columns); without, every row is an item and nothing lies beyond.
    """

    statement: Select
    parameters: dict[str, Any]
    has_boundary_flags: bool


def _key(columns: Sequence[ColumnElement]) -> ColumnElement:
    return tuple_(*columns) if len(columns) > 1 else columns[0]


def _value(columns: Sequence[ColumnElement], key: Sequence[Any]) -> Any:
    return tuple_(*key) if len(columns) > 1 else key[0]


def sorts_after(columns: Sequence[ColumnElement], key: Sequence[Any], descending: bool):
    """Rows that come strictly after `key` in the listing order."""
    left, right = _key(columns), _value(columns, key)
    return left < right if descending else left > right


def sorts_before(columns: Sequence[ColumnElement], key: Sequence[Any], descending: bool):
    """Rows that come strictly before `key` in the listing order."""
    left, right = _key(columns), _value(columns, key)
    return left > right if descending else left < right


def range_conditions(columns: Sequence[ColumnElement], seek: Seek) -> list[ColumnElement]:
    conditions = []
    if seek.after is not None:
        conditions.append(sorts_after(columns, seek.after, seek.descending))
    if seek.before is not None:
        conditions.append(sorts_before(columns, seek.before, seek.descending))
    return conditions


def fetch_order(columns: Sequence[ColumnElement], seek: Seek) -> list[ColumnElement]:
    """ORDER BY for the fetch: the listing order, reversed when fetching from the end."""
    descending = seek.descending != seek.from_end
    return [column.desc() if descending else column.asc() for column in columns]


def up_to_after(columns: Sequence[ColumnElement], seek: Seek) -> ColumnElement:
    """Rows at or before the `after` key: they exist iff there is a previous page."""
    assert seek.after is not None
    return ~sorts_after(columns, seek.after, seek.descending)


def from_before(columns: Sequence[ColumnElement], seek: Seek) -> ColumnElement:
    """Rows at or after the `before` key: they exist iff there is a next page."""
    assert seek.before is not None
    return ~sorts_before(columns, seek.before, seek.descending)


@dataclass(frozen=True, slots=True)
class SeekShape:
    """What a Seek's SQL depends on; its values travel as parameters."""

    descending: bool
    from_end: bool
    has_after: bool
    has_before: bool


def seek_shape(seek: Seek) -> SeekShape:
    return SeekShape(seek.descending, seek.from_end, seek.after is not None, seek.before is not None)


def seek_parameters(seek: Seek) -> dict[str, Any]:
    """Values for the parameters of `bound_seek`."""
    parameters: dict[str, Any] = {"limit": seek.limit}
    for name, key in (("after", seek.after), ("before", seek.before)):
        if key is not None:
            parameters.update({f"{name}_{index}": value for index, value in enumerate(key)})
    return parameters


def bound_seek(shape: SeekShape, columns: Sequence[ColumnElement]) -> Seek:
    """A Seek of bind parameters (typed like the sort columns), for cached statements."""

    def key(name: str, present: bool) -> tuple | None:
        if not present:
            return None
        return tuple(
            bindparam(f"{name}_{index}", type_=column.type) for index, column in enumerate(columns)
        )

    return Seek(
        limit=bindparam("limit", type_=Integer()),
        descending=shape.descending,
        from_end=shape.from_end,
        after=key("after", shape.has_after),
        before=key("before", shape.has_before),
    )
