"""Reading a statement's rows and matching them to the keys a DataLoader asked for.

Load functions take the session (and what shapes their statement) as arguments,
never the per-request `Loaders` object: a reference cycle through the loaders
would keep every record of a response alive until the cyclic garbage collector
runs, instead of freeing it when the request ends.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import Select

from backfill_gateway.db.session import ReadSession

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


async def mappings(
    session: ReadSession, statement: Select, parameters: dict | None = None
) -> list[Mapping[str, Any]]:
    """The statement's rows, read by column name."""
    return [row._mapping for row in await session.all(statement, parameters)]


async def load_by_key(
    session: ReadSession,
    statement_for: Callable[[Sequence[K]], tuple[Select, dict]],
    record_for: Callable[[Mapping[str, Any]], V],
    key_column: str,
    keys: Sequence[K],
) -> list[V | None]:
    """One statement for all distinct keys; None where no row has the key."""
    rows = await mappings(session, *statement_for(list(dict.fromkeys(keys))))
    found = {row[key_column]: record_for(row) for row in rows}
    return [found.get(key) for key in keys]
