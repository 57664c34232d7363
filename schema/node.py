"""The Relay `Node` interface and `PageInfo`, shared by every type and connection."""

from __future__ import annotations

import strawberry


@strawberry.interface(description="An object with a globally unique, opaque ID (Relay).")
class Node:
    id: strawberry.ID = strawberry.field(
        description="Opaque global ID; pass it to `Query.node` to fetch this object again."
    )


@strawberry.type(description="Where a page sits in its connection (Relay).")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether items exist after this page.")
    has_previous_page: bool = strawberry.field(
        description="Whether items exist before this page."
    )
    start_cursor: str | None = strawberry.field(
        description="Cursor of the first edge; null when the page is empty."
    )
    end_cursor: str | None = strawberry.field(
        description="Cursor of the last edge; null when the page is empty."
    )
