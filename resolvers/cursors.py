"""Opaque keyset cursors: one codec, one instance per connection.

A cursor is base64 of a JSON array: the connection's kind, the scope the
cursor belongs to (a backfill, a listing order) and the sort key of its edge,
never an offset: the next page starts strictly after that key, so a page deep
in a large connection costs what the first page costs. Cursors are checked
strictly: a cursor of another connection (or another backfill's slots, or
another order) is the client's mistake, not an empty page.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from backfill_gateway.db.tables import MAX_INTEGER
from backfill_gateway.resolvers.errors import BadUserInput


@dataclass(frozen=True, slots=True)
class Part:
    """One value of a cursor: how it is written to JSON and read back (ValueError if bad)."""

    dump: Callable[[Any], Any]
    load: Callable[[Any], Any]


def _load_int(value: Any) -> int:
    if type(value) is not int or not 0 <= value <= MAX_INTEGER:
        raise ValueError(value)
    return value


def _load_text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(value)
    return value


def _load_timestamp(value: Any) -> datetime:
    moment = datetime.fromisoformat(value)  # TypeError/ValueError for anything else
    if moment.tzinfo is None:
        raise ValueError(value)
    return moment


def _same(value: Any) -> Any:
    return value


INT = Part(_same, _load_int)
TEXT = Part(_same, _load_text)
TIMESTAMP = Part(lambda moment: moment.astimezone(UTC).isoformat(), _load_timestamp)


def _encode(payload: list) -> str:
    # binascii directly: base64.b64encode is a Python frame around it (a cursor per edge).
    return binascii.b2a_base64(orjson.dumps(payload), newline=False).decode("ascii")


def _not_a_cursor(argument: str) -> BadUserInput:
    return BadUserInput(f"Argument `{argument}` is not a valid cursor.", argument=argument)


def _payload(cursor: str, argument: str) -> list:
    try:
        payload = orjson.loads(base64.b64decode(cursor.encode("ascii"), validate=True))
    except (binascii.Error, UnicodeError, ValueError, orjson.JSONDecodeError):
        raise _not_a_cursor(argument) from None
    if not isinstance(payload, list) or not payload or not isinstance(payload[0], str):
        raise _not_a_cursor(argument)
    return payload


@dataclass(frozen=True, slots=True)
class Cursor:
    """The cursor codec of one connection: `[kind, *scope, *key]`, base64 JSON.

    `connection` names the GraphQL field in messages; `scope_mismatch(found, expected)`
    words the refusal of a cursor from another scope; `valid(key)` checks what the
    part types cannot (e.g. two parts that must agree).
    """

    kind: str
    connection: str
    scope: tuple[Part, ...]
    key: tuple[Part, ...]
    scope_mismatch: Callable[[tuple, tuple], str]
    valid: Callable[[tuple], bool] = lambda key: True
    # Every part written as it is (ints, text): no call per value (a cursor per edge).
    _as_is: bool = field(init=False, repr=False, compare=False, default=False)

    def __post_init__(self) -> None:
        as_is = all(part.dump is _same for part in (*self.scope, *self.key))
        object.__setattr__(self, "_as_is", as_is)

    def encode(self, scope: Sequence[Any], key: Sequence[Any]) -> str:
        if len(scope) != len(self.scope) or len(key) != len(self.key):
            raise ValueError(f"a {self.kind} cursor has {len(self.scope)} + {len(self.key)} parts")
        if self._as_is:
            return _encode([self.kind, *scope, *key])
        parts = zip((*self.scope, *self.key), (*scope, *key), strict=True)
        return _encode([self.kind, *(part.dump(value) for part, value in parts)])

    def decode(self, cursor: str, argument: str, scope: tuple) -> tuple:
        """The sort key of a cursor of this connection and `scope`, or BadUserInput."""
        payload = _payload(cursor, argument)
        if payload[0] != self.kind:
            raise BadUserInput(
                f"Argument `{argument}` is a cursor of another connection, "
                f"not of `{self.connection}`.",
                argument=argument,
            )
        if len(payload) != 1 + len(self.scope) + len(self.key):
            raise _not_a_cursor(argument)
        found_scope = self._load(self.scope, payload[1 : 1 + len(self.scope)], argument)
        if found_scope != scope:
            message = self.scope_mismatch(found_scope, scope)
            raise BadUserInput(f"Argument `{argument}` is {message}", argument=argument)
        key = self._load(self.key, payload[1 + len(self.scope) :], argument)
        if not self.valid(key):
            raise _not_a_cursor(argument)
        return key

    @staticmethod
    def _load(parts: tuple[Part, ...], values: list, argument: str) -> tuple:
        try:
            return tuple(part.load(value) for part, value in zip(parts, values, strict=True))
        except (TypeError, ValueError):
            raise _not_a_cursor(argument) from None


# A slot's position in its backfill: scope (backfill_id,), key (sort_ordinal, slot id).
SLOT_CURSOR = Cursor(
    kind="slot",
    connection="dagRuns",
    scope=(INT,),
    key=(INT, INT),
    scope_mismatch=lambda found, expected: (
        f"a cursor of backfill {found[0]}'s dagRuns, not of backfill {expected[0]}'s."
    ),
)

# A backfill's position in a listing: scope (order field,), key (value, backfill id).
_ANOTHER_ORDER = lambda found, expected: "a cursor of a listing ordered by another field."  # noqa: E731
BACKFILL_CURSORS = {
    # Ordered by id, the value is the id itself.
    "id": Cursor("backfill", "backfills", (TEXT,), (INT, INT), _ANOTHER_ORDER,
                 valid=lambda key: key[0] == key[1]),
    "created_at": Cursor("backfill", "backfills", (TEXT,), (TIMESTAMP, INT), _ANOTHER_ORDER),
}  # fmt: skip
