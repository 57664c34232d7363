"""Opaque Relay global IDs: base64 of `TypeName:key`."""

from __future__ import annotations

import base64
import binascii
from binascii import b2a_base64
from dataclasses import dataclass

from backfill_gateway.db.tables import MAX_INTEGER
from backfill_gateway.resolvers.errors import BadUserInput

BACKFILL = "Backfill"
SLOT = "BackfillDagRun"
DAG_RUN = "DagRun"
DAG = "Dag"

# Types whose key is an integer primary key; Dag's key is its dag_id string.
INTEGER_KEYED = frozenset({BACKFILL, SLOT, DAG_RUN})
NODE_TYPES = INTEGER_KEYED | {DAG}


# Built per request: not frozen (ARCHITECTURE.md).
@dataclass(slots=True)
class GlobalId:
    type_name: str
    key: int | str


def encode_global_id(type_name: str, key: int | str) -> str:
    return b2a_base64(f"{type_name}:{key}".encode(), newline=False).decode("ascii")


def decode_global_id(value: str, *, argument: str = "id") -> GlobalId:
    """Decode and check a global ID; anything malformed is the client's mistake."""
    try:
        raw = base64.b64decode(value.encode("ascii"), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        raise BadUserInput(f"Argument `{argument}` is not a valid ID.", argument=argument) from None
    type_name, sep, key = raw.partition(":")
    if not sep or type_name not in NODE_TYPES or not key:
        raise BadUserInput(f"Argument `{argument}` is not a valid ID.", argument=argument)
    if type_name in INTEGER_KEYED:
        if not (key.isascii() and key.isdigit()) or len(key) > 10 or int(key) > MAX_INTEGER:
            raise BadUserInput(f"Argument `{argument}` is not a valid ID.", argument=argument)
        return GlobalId(type_name, int(key))
    return GlobalId(type_name, key)


def decode_global_id_of(value: str, type_name: str, *, argument: str = "id") -> int | str:
    """The key of a global ID that must name a `type_name` object."""
    global_id = decode_global_id(value, argument=argument)
    if global_id.type_name != type_name:
        raise BadUserInput(
            f"Argument `{argument}` is the ID of a {global_id.type_name}, not of a {type_name}.",
            argument=argument,
        )
    return global_id.key
