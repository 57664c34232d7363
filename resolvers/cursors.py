"""Opaque keyset cursors.

A cursor is base64 of a JSON array naming its connection and the sort key of
its edge, never an offset: the next page starts strictly after that key, so a
page deep in a large connection costs what the first page costs. Cursors are
checked strictly: a cursor of another connection (or another backfill's
slots, or another order) is the client's mistake, not an empty page.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime

import orjson

from backfill_gateway.resolvers.errors import BadUserInput

SLOT_CURSOR = "slot"
BACKFILL_CURSOR = "backfill"
MAX_INT = 2**31 - 1


@dataclass(frozen=True, slots=True)
class SlotKey:
    """Position of a slot in its backfill: (sort_ordinal, id)."""

    backfill_id: int
    sort_ordinal: int
    slot_id: int


@dataclass(frozen=True, slots=True)
class BackfillKey:
    """Position of a backfill in a listing ordered by `order_field`, ties broken by id."""

    order_field: str
    value: int | datetime
    backfill_id: int


def _encode(payload: list) -> str:
    return base64.b64encode(orjson.dumps(payload)).decode("ascii")


def _decode(cursor: str, argument: str) -> list:
    try:
        payload = orjson.loads(base64.b64decode(cursor.encode("ascii"), validate=True))
    except (binascii.Error, UnicodeError, ValueError, orjson.JSONDecodeError):
        raise BadUserInput(
            f"Argument `{argument}` is not a valid cursor.", argument=argument
        ) from None
    if not isinstance(payload, list) or not payload or not isinstance(payload[0], str):
        raise BadUserInput(f"Argument `{argument}` is not a valid cursor.", argument=argument)
    return payload


def _is_int(value: object) -> bool:
    return type(value) is int and 0 <= value <= MAX_INT


def encode_slot_cursor(backfill_id: int, sort_ordinal: int, slot_id: int) -> str:
    return _encode([SLOT_CURSOR, backfill_id, sort_ordinal, slot_id])


def decode_slot_cursor(cursor: str, *, backfill_id: int, argument: str) -> SlotKey:
    payload = _decode(cursor, argument)
    if payload[0] != SLOT_CURSOR:
        raise BadUserInput(
            f"Argument `{argument}` is a cursor of another connection, not of `dagRuns`.",
            argument=argument,
        )
    if len(payload) != 4 or not all(_is_int(v) for v in payload[1:]):
        raise BadUserInput(f"Argument `{argument}` is not a valid cursor.", argument=argument)
    key = SlotKey(*payload[1:])
    if key.backfill_id != backfill_id:
        raise BadUserInput(
            f"Argument `{argument}` is a cursor of backfill {key.backfill_id}'s dagRuns, "
            f"not of backfill {backfill_id}'s.",
            argument=argument,
        )
    return key


def encode_backfill_cursor(order_field: str, value: int | datetime, backfill_id: int) -> str:
    if isinstance(value, datetime):
        value = value.astimezone(UTC).isoformat()
    return _encode([BACKFILL_CURSOR, order_field, value, backfill_id])


def decode_backfill_cursor(cursor: str, *, order_field: str, argument: str) -> BackfillKey:
    payload = _decode(cursor, argument)
    if payload[0] != BACKFILL_CURSOR:
        raise BadUserInput(
            f"Argument `{argument}` is a cursor of another connection, not of `backfills`.",
            argument=argument,
        )
    if len(payload) != 4 or not _is_int(payload[3]) or not isinstance(payload[1], str):
        raise BadUserInput(f"Argument `{argument}` is not a valid cursor.", argument=argument)
    if payload[1] != order_field:
        raise BadUserInput(
            f"Argument `{argument}` is a cursor of a listing ordered by another field.",
            argument=argument,
        )
    value = payload[2]
    if order_field == "id":
        if not _is_int(value) or value != payload[3]:
            raise BadUserInput(f"Argument `{argument}` is not a valid cursor.", argument=argument)
    else:
        try:
            value = datetime.fromisoformat(value)
        except (TypeError, ValueError):
            raise BadUserInput(
                f"Argument `{argument}` is not a valid cursor.", argument=argument
            ) from None
        if value.tzinfo is None:
            raise BadUserInput(f"Argument `{argument}` is not a valid cursor.", argument=argument)
    return BackfillKey(order_field, value, payload[3])
