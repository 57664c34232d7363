"""Connection arguments shared by every paginated field (Relay cursor connections)."""

from __future__ import annotations

from typing import Annotated

import strawberry

First = Annotated[
    int | None,
    strawberry.argument(
        description="Return the first n items, 1 to 100 (configurable); 20 when neither "
        "`first` nor `last` is given. Cannot be combined with `last`."
    ),
]
After = Annotated[
    str | None,
    strawberry.argument(description="Return items after this cursor (an edge's `cursor`)."),
]
Last = Annotated[
    int | None,
    strawberry.argument(
        description="Return the last n items, 1 to 100 (configurable). "
        "Cannot be combined with `first`."
    ),
]
Before = Annotated[
    str | None,
    strawberry.argument(description="Return items before this cursor (an edge's `cursor`)."),
]
