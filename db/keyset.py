"""Keyset (seek) pagination conditions shared by every connection's SQL."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Label,
    Select,
    bindparam,
    exists,
    false,
    select,
    true,
    tuple_,
)

# Labels of the boundary flags: some item sorts before the page's window (at or
# before the `after` key), some item sorts after it (at or after the `before` key).
# The SQL names are older than these Python names; the recorded SQL keeps them.
BEFORE_WINDOW_FLAG = "exists_up_to_after"
AFTER_WINDOW_FLAG = "exists_from_before"


# Built per request: not frozen (ARCHITECTURE.md), hashed by value as a cache key.
@dataclass(slots=True, unsafe_hash=True)
class Seek:
    """A page request in SQL terms: items strictly between two sort keys, in
    `descending` order, fetched from the far end when `from_end`."""

    limit: int
    descending: bool = False
    from_end: bool = False
    after: Sequence[Any] | None = None
    before: Sequence[Any] | None = None


# Built per request: not frozen (ARCHITECTURE.md).
@dataclass(slots=True)
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


def at_or_before_after_key(columns: Sequence[ColumnElement], seek: Seek) -> ColumnElement:
    """Rows at or before the `after` key: they exist iff there is a previous page."""
    assert seek.after is not None
    return ~sorts_after(columns, seek.after, seek.descending)


def at_or_after_before_key(columns: Sequence[ColumnElement], seek: Seek) -> ColumnElement:
    """Rows at or after the `before` key: they exist iff there is a next page."""
    assert seek.before is not None
    return ~sorts_before(columns, seek.before, seek.descending)


# A condition on a listing's sort columns, e.g. `partial(at_or_before_after_key, seek=...)`.
Beyond = Callable[[Sequence[ColumnElement]], ColumnElement]


def boundary_flags(
    seek: Seek, exists_beyond: Callable[[Beyond], ColumnElement[bool]]
) -> list[Label]:
    """The two boundary flag columns of a page, so that even an empty page tells
    whether items lie beyond its cursors: EXISTS an item before the window (only with
    an `after` key), EXISTS one after it (only with a `before` key); false without.

    `exists_beyond(condition)` is the EXISTS of the listing's items (its filter
    applied) whose sort columns meet `condition`.
    """

    def flag(key, side, label: str) -> Label:
        if key is None:
            return false().label(label)
        return exists_beyond(lambda columns: side(columns, seek)).label(label)

    return [
        flag(seek.after, at_or_before_after_key, BEFORE_WINDOW_FLAG),
        flag(seek.before, at_or_after_before_key, AFTER_WINDOW_FLAG),
    ]


def listing_page(
    columns: Sequence[Any],
    conditions: Sequence[ColumnElement[bool]],
    order_columns: Sequence[ColumnElement],
    seek: Seek,
) -> Select:
    """One page of a listing (rows meeting `conditions`, in `order_columns` order).

    Without cursors there is nothing before the first page (or after the last): a plain
    `ORDER BY … LIMIT`. With a cursor, the page is outer-joined to a one-row `boundary` of
    EXISTS flags (boundary_flags), so that even an empty page tells whether items lie
    beyond the cursor, still in one statement.
    """
    page = (
        select(*columns)
        .where(*conditions, *range_conditions(order_columns, seek))
        .order_by(*fetch_order(order_columns, seek))
        .limit(seek.limit)
    )
    if seek.after is None and seek.before is None:
        return page

    def exists_beyond(condition) -> ColumnElement[bool]:
        return exists().where(*conditions, condition(order_columns))

    boundary = select(*boundary_flags(seek, exists_beyond)).subquery("boundary")
    page = page.subquery("page")
    page_order = [page.c[column.name] for column in order_columns]
    return (
        select(boundary, *page.c)
        .select_from(boundary.outerjoin(page, true()))
        .order_by(*fetch_order(page_order, seek))
    )


# Built per request: not frozen (ARCHITECTURE.md), hashed by value as a cache key.
@dataclass(slots=True, unsafe_hash=True)
class SeekShape:
    """What a Seek's SQL depends on; its values travel as parameters."""

    descending: bool
    from_end: bool
    has_after: bool
    has_before: bool


def seek_shape(seek: Seek) -> SeekShape:
    return SeekShape(
        seek.descending, seek.from_end, seek.after is not None, seek.before is not None
    )


def seek_parameters(seek: Seek) -> dict[str, Any]:
    """Values for the parameters of `parameterized_seek`."""
    parameters: dict[str, Any] = {"limit": seek.limit}
    for name, key in (("after", seek.after), ("before", seek.before)):
        if key is not None:
            parameters.update({f"{name}_{index}": value for index, value in enumerate(key)})
    return parameters


def parameterized_seek(shape: SeekShape, columns: Sequence[ColumnElement]) -> Seek:
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
