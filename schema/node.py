"""The Relay `Node` interface, shared by every type with a global ID."""

from __future__ import annotations

import strawberry


@strawberry.interface(description="An object with a globally unique, opaque ID (Relay).")
class Node:
    id: strawberry.ID = strawberry.field(
        description="Opaque global ID; pass it to `Query.node` to fetch this object again."
    )
