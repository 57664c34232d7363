"""Relay cursor connections: one generic `Connection[T]` and `Edge[T]`, and `PageInfo`.

Each connection of the graph subclasses the generic pair to give its own type
names and descriptions; the fields and their resolution are the generic's. The
objects they read are resolvers.pagination.Connection and Edge.
"""

from __future__ import annotations

from typing import Generic, TypeVar

import strawberry

T = TypeVar("T")


@strawberry.type(description="Where a page sits in its connection (Relay).")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether items exist after this page.")
    has_previous_page: bool = strawberry.field(description="Whether items exist before this page.")
    start_cursor: str | None = strawberry.field(
        description="Cursor of the first edge; null when the page is empty."
    )
    end_cursor: str | None = strawberry.field(
        description="Cursor of the last edge; null when the page is empty."
    )


@strawberry.type(description="An edge of a connection.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(description="Opaque cursor of this edge, for `after`/`before`.")
    node: T = strawberry.field(description="The item.")


@strawberry.type(description="A page of a connection.")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The page's edges.")
    nodes: list[T] = strawberry.field(
        description="The page's items, without cursors (shortcut for `edges { node }`)."
    )
    page_info: PageInfo = strawberry.field(description="Where this page sits.")
