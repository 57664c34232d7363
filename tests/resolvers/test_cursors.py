"""The generic keyset cursor codec and its two uses (slots of a backfill, backfill listings)."""

import base64
from datetime import UTC, datetime

import orjson
import pytest

from backfill_gateway.db.tables import MAX_INTEGER
from backfill_gateway.resolvers.cursors import BACKFILL_CURSORS, INT, SLOT_CURSOR, TEXT, Cursor
from backfill_gateway.resolvers.errors import BadUserInput
from backfill_gateway.web.execution.errors import error_code_of

BY_ID, BY_CREATED_AT = BACKFILL_CURSORS["id"], BACKFILL_CURSORS["created_at"]


def raw(payload) -> str:
    return base64.b64encode(orjson.dumps(payload)).decode()


def test_generic_codec_round_trips_scope_and_key():
    codec = Cursor("thing", "things", (TEXT, INT), (INT,), lambda found, expected: "elsewhere.")
    cursor = codec.encode(("a", 1), (5,))
    assert codec.decode(cursor, "after", ("a", 1)) == (5,)
    with pytest.raises(BadUserInput, match="`after` is elsewhere"):
        codec.decode(cursor, "after", ("a", 2))


def test_slot_cursor_round_trip():
    cursor = SLOT_CURSOR.encode((7,), (995, 12345))
    assert SLOT_CURSOR.decode(cursor, "after", (7,)) == (995, 12345)


def test_cursor_format_is_unchanged():
    # Clients hold cursors across deployments: the bytes are part of the API.
    assert SLOT_CURSOR.encode((7,), (995, 12345)) == raw(["slot", 7, 995, 12345])
    assert BY_ID.encode(("id",), (3, 3)) == raw(["backfill", "id", 3, 3])
    created = datetime(2026, 9, 1, 12, 30, tzinfo=UTC)
    assert BY_CREATED_AT.encode(("created_at",), (created, 4)) == raw(
        ["backfill", "created_at", "2026-09-01T12:30:00+00:00", 4]
    )


def test_a_cursor_of_the_wrong_shape_is_never_written():
    # Every part is checked, whether written as is (slots) or converted (timestamps).
    for codec, scope, key in ((SLOT_CURSOR, (7,), (995,)), (SLOT_CURSOR, (), (995, 1)),
                              (BY_CREATED_AT, ("created_at",), (datetime.now(UTC),))):  # fmt: skip
        with pytest.raises(ValueError):
            codec.encode(scope, key)


def test_cursor_is_opaque_not_an_offset():
    cursor = SLOT_CURSOR.encode((7,), (995, 12345))
    assert "995" not in cursor and "arrayconnection" not in base64.b64decode(cursor).decode()


MALFORMED_SLOT_CURSORS = [
    "",
    "not base64!",
    base64.b64encode(b"not json").decode(),
    base64.b64encode(b"{}").decode(),
    base64.b64encode(b"[]").decode(),
    base64.b64encode(b"[7, 1, 1, 1]").decode(),
    base64.b64encode(b'["slot", 7, 1]').decode(),
    base64.b64encode(b'["slot", 7, 1, 3, 4]').decode(),
    base64.b64encode(b'["slot", 7, -1, 3]').decode(),
    base64.b64encode(b'["slot", 7, "1", 3]').decode(),
    base64.b64encode(b'["slot", 7, 1, 99999999999999]').decode(),
    raw(["slot", 7, 1, MAX_INTEGER + 1]),
    base64.b64encode(b'["slot", 7, 1.5, 3]').decode(),
    base64.b64encode(b'["slot", 7, true, 3]').decode(),
    base64.b64encode(b'["slot", "7", 1, 3]').decode(),
    base64.b64encode(b'["slot", null, 1, 3]').decode(),
]


@pytest.mark.parametrize("cursor", MALFORMED_SLOT_CURSORS)
def test_malformed_slot_cursor_is_bad_user_input_naming_the_argument(cursor):
    with pytest.raises(BadUserInput, match="not a valid cursor") as raised:
        SLOT_CURSOR.decode(cursor, "before", (7,))
    assert raised.value.argument == "before"
    assert "`before`" in raised.value.message
    assert error_code_of(raised.value).code == "BAD_USER_INPUT"


MALFORMED_BACKFILL_CURSORS = [
    (BY_ID, raw(["backfill", "id", 3])),
    (BY_ID, raw(["backfill", "id", 3, 4])),  # ordered by id, the value is the id
    (BY_ID, raw(["backfill", "id", "3", 3])),
    (BY_ID, raw(["backfill", 5, 3, 3])),
    (BY_ID, raw(["backfill", "id", 3, -3])),
    (BY_CREATED_AT, raw(["backfill", "created_at", "2026-09-01T12:30:00", 3])),  # naive
    (BY_CREATED_AT, raw(["backfill", "created_at", "yesterday", 3])),
    (BY_CREATED_AT, raw(["backfill", "created_at", 17, 3])),
    (BY_CREATED_AT, raw(["backfill", "created_at", "2026-09-01T12:30:00+00:00", None])),
]


@pytest.mark.parametrize(("codec", "cursor"), MALFORMED_BACKFILL_CURSORS)
def test_malformed_backfill_cursor_is_bad_user_input_naming_the_argument(codec, cursor):
    with pytest.raises(BadUserInput, match="not a valid cursor") as raised:
        codec.decode(cursor, "after", ("id" if codec is BY_ID else "created_at",))
    assert raised.value.argument == "after"
    assert error_code_of(raised.value).code == "BAD_USER_INPUT"


def test_slot_cursor_of_another_backfill_is_refused():
    with pytest.raises(BadUserInput, match="backfill 7's dagRuns, not of backfill 8's"):
        SLOT_CURSOR.decode(SLOT_CURSOR.encode((7,), (1, 1)), "after", (8,))


def test_backfill_cursor_is_refused_by_slots_and_vice_versa():
    with pytest.raises(BadUserInput, match="another connection, not of `dagRuns`"):
        SLOT_CURSOR.decode(BY_ID.encode(("id",), (3, 3)), "after", (3,))
    with pytest.raises(BadUserInput, match="another connection, not of `backfills`"):
        BY_ID.decode(SLOT_CURSOR.encode((3,), (1, 1)), "after", ("id",))


def test_backfill_cursor_round_trips_a_timestamp_and_refuses_another_order():
    created = datetime(2026, 9, 1, 12, 30, 15, 123456, tzinfo=UTC)
    cursor = BY_CREATED_AT.encode(("created_at",), (created, 42))
    assert BY_CREATED_AT.decode(cursor, "after", ("created_at",)) == (created, 42)
    with pytest.raises(BadUserInput, match="ordered by another field"):
        BY_ID.decode(cursor, "after", ("id",))
    with pytest.raises(BadUserInput, match="ordered by another field"):
        BY_CREATED_AT.decode(BY_ID.encode(("id",), (3, 3)), "after", ("created_at",))
