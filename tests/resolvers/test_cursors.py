import base64
from datetime import UTC, datetime

import pytest

from backfill_gateway.resolvers.cursors import (
    decode_backfill_cursor,
    decode_slot_cursor,
    encode_backfill_cursor,
    encode_slot_cursor,
)
from backfill_gateway.resolvers.errors import BadUserInput


def test_slot_cursor_round_trip():
    cursor = encode_slot_cursor(7, 995, 12345)
    key = decode_slot_cursor(cursor, backfill_id=7, argument="after")
    assert (key.backfill_id, key.sort_ordinal, key.slot_id) == (7, 995, 12345)


def test_cursor_is_opaque_not_an_offset():
    cursor = encode_slot_cursor(7, 995, 12345)
    assert "995" not in cursor and "arrayconnection" not in base64.b64decode(cursor).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "not base64!",
        base64.b64encode(b"not json").decode(),
        base64.b64encode(b"{}").decode(),
        base64.b64encode(b'["slot", 7, 1]').decode(),
        base64.b64encode(b'["slot", 7, -1, 3]').decode(),
        base64.b64encode(b'["slot", 7, "1", 3]').decode(),
        base64.b64encode(b'["slot", 7, 1, 99999999999999]').decode(),
        base64.b64encode(b'["slot", 7, 1.5, 3]').decode(),
        base64.b64encode(b'["slot", 7, true, 3]').decode(),
    ],
)
def test_malformed_slot_cursor_is_bad_user_input_naming_the_argument(cursor):
    with pytest.raises(BadUserInput) as raised:
        decode_slot_cursor(cursor, backfill_id=7, argument="before")
    assert raised.value.argument == "before"
    assert "`before`" in raised.value.message


def test_slot_cursor_of_another_backfill_is_refused():
    with pytest.raises(BadUserInput, match="backfill 7"):
        decode_slot_cursor(encode_slot_cursor(7, 1, 1), backfill_id=8, argument="after")


def test_backfill_cursor_is_refused_by_slots_and_vice_versa():
    with pytest.raises(BadUserInput, match="another connection"):
        decode_slot_cursor(encode_backfill_cursor("id", 3, 3), backfill_id=3, argument="after")
    with pytest.raises(BadUserInput, match="another connection"):
        decode_backfill_cursor(encode_slot_cursor(3, 1, 1), order_field="id", argument="after")


def test_backfill_cursor_round_trips_a_timestamp_and_refuses_another_order():
    created = datetime(2026, 9, 1, 12, 30, 15, 123456, tzinfo=UTC)
    cursor = encode_backfill_cursor("created_at", created, 42)
    key = decode_backfill_cursor(cursor, order_field="created_at", argument="after")
    assert (key.value, key.backfill_id) == (created, 42)
    with pytest.raises(BadUserInput, match="ordered by another field"):
        decode_backfill_cursor(cursor, order_field="id", argument="after")
