"""`fields_of`: a result row's column names, kept per result shape."""

from __future__ import annotations

from sqlalchemy.engine import Row

# By result metadata, the object every row of a result shares (direct reads share one
# per shape: db.asyncpg_reads). Held here, so an id is never reused while it is a key.
_fields_by_metadata: dict[object, tuple[str, ...]] = {}
CACHE_SIZE = 256


def fields_of(row: Row) -> tuple[str, ...]:
    """`row._fields`, which SQLAlchemy builds anew on every access (a key view and two
    passes over the keys: ~1% of a small request's instructions, read twice per page)."""
    metadata = row._parent
    fields = _fields_by_metadata.get(metadata)
    if fields is None:
        if len(_fields_by_metadata) >= CACHE_SIZE:
            _fields_by_metadata.clear()
        fields = _fields_by_metadata[metadata] = row._fields
    return fields
