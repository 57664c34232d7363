"""Relay connection arguments and exact page bookkeeping, shared by every connection."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from backfill_gateway.db.keyset import Seek
from backfill_gateway.resolvers.errors import BadUserInput

K = TypeVar("K")
T = TypeVar("T")


# Built per request: not frozen (ARCHITECTURE.md).
@dataclass(slots=True)
class PageWindow(Generic[K]):
    """What one page asks for: `size` items from the front (`first`) or back (`last`)
    of the items strictly between the `after` and `before` keys."""

    size: int
    from_end: bool
    after: K | None
    before: K | None

    @property
    def fetch_limit(self) -> int:
        # One extra item tells whether more exist beyond the page.
        return self.size + 1

    def seek(self, sort_key: Callable[[K], tuple], *, descending: bool = False) -> Seek:
        """The page in SQL terms, with cursors turned into sort keys."""
        return Seek(
            limit=self.fetch_limit,
            descending=descending,
            from_end=self.from_end,
            after=sort_key(self.after) if self.after is not None else None,
            before=sort_key(self.before) if self.before is not None else None,
        )


class PageInfo(Generic[T]):
    """A page's flags, and its first and last cursors, computed only when a query asks for
    them (Q2 selects none of its 50 pages' cursors: 100 encodings a request)."""

    __slots__ = ("has_next_page", "has_previous_page", "_page", "_cursor_of")

    def __init__(
        self,
        has_next_page: bool,
        has_previous_page: bool,
        page: Sequence[T],
        cursor_of: Callable[[T], str],
    ) -> None:
        self.has_next_page = has_next_page
        self.has_previous_page = has_previous_page
        self._page = page
        self._cursor_of = cursor_of

    @property
    def start_cursor(self) -> str | None:
        return self._cursor_of(self._page[0]) if self._page else None

    @property
    def end_cursor(self) -> str | None:
        return self._cursor_of(self._page[-1]) if self._page else None


class Edge(Generic[T]):
    """A node and its cursor, computed only when a query asks for it."""

    __slots__ = ("node", "_cursor_of")

    def __init__(self, node: T, cursor_of: Callable[[T], str]) -> None:
        self.node = node
        self._cursor_of = cursor_of

    @property
    def cursor(self) -> str:
        return self._cursor_of(self.node)


class Connection(Generic[T]):
    """A page of any connection: what the schema's generic `Connection` reads.

    `count()` counts the items of the whole connection (not the page); it is called
    only when a query selects `totalCount`.
    """

    __slots__ = ("nodes", "page_info", "_cursor_of", "count")

    def __init__(
        self,
        nodes: list[T],
        page_info: PageInfo,
        cursor_of: Callable[[T], str],
        count: Callable[[], Awaitable[int]],
    ) -> None:
        self.nodes = nodes
        self.page_info = page_info
        self._cursor_of = cursor_of
        self.count = count

    @property
    def edges(self) -> list[Edge[T]]:
        return [Edge(node, self._cursor_of) for node in self.nodes]


def _check_size(value: int, argument: str, max_page_size: int) -> None:
    if not 1 <= value <= max_page_size:
        raise BadUserInput(
            f"Argument `{argument}` must be between 1 and {max_page_size}, got {value}.",
            argument=argument,
        )


def page_window(
    *,
    first: int | None,
    last: int | None,
    after: str | None,
    before: str | None,
    default_page_size: int,
    max_page_size: int,
    decode_cursor: Callable[[str, str], K],
) -> PageWindow[K]:
    """Validate connection arguments; each mistake names its argument.

    `decode_cursor(cursor, argument)` turns a cursor into its key or raises."""
    if first is not None and last is not None:
        raise BadUserInput(
            "Arguments `first` and `last` cannot be used together; pass one of them.",
            argument="last",
        )
    if first is not None:
        _check_size(first, "first", max_page_size)
    if last is not None:
        _check_size(last, "last", max_page_size)
    after_key = decode_cursor(after, "after") if after is not None else None
    before_key = decode_cursor(before, "before") if before is not None else None
    if last is not None:
        return PageWindow(last, True, after_key, before_key)
    return PageWindow(
        first if first is not None else default_page_size, False, after_key, before_key
    )


def cut_page(
    rows: Sequence[T],
    window: PageWindow,
    *,
    exists_before_window: bool,
    exists_after_window: bool,
    cursor_of: Callable[[T], str],
) -> tuple[list[T], PageInfo]:
    """Turn up to `size + 1` fetched rows (in fetch order) into a page with exact pageInfo.

    `exists_before_window`: some item sorts at or before the `after` cursor.
    `exists_after_window`: some item sorts at or after the `before` cursor.
    Rows fetched from the end arrive in reverse order and are put back in order.
    """
    more = len(rows) > window.size
    page = list(rows[: window.size])
    if window.from_end:
        page.reverse()
        has_previous = more or exists_before_window
        has_next = exists_after_window
    else:
        has_next = more or exists_after_window
        has_previous = exists_before_window
    return page, PageInfo(has_next, has_previous, page, cursor_of)
