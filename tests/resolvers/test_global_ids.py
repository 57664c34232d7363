import base64

import pytest

from backfill_gateway.resolvers.errors import BadUserInput
from backfill_gateway.resolvers.global_ids import (
    decode_global_id,
    decode_global_id_of,
    encode_global_id,
)


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def test_round_trip_integer_and_string_keys():
    assert decode_global_id(encode_global_id("Backfill", 42)).key == 42
    assert decode_global_id(encode_global_id("Dag", "etl:daily")).key == "etl:daily"


@pytest.mark.parametrize(
    "value",
    ["", "42", "%%%", b64("Backfill"), b64("Backfill:"), b64("Nope:1"), b64("Backfill:x"),
     b64("Backfill:-1"), b64("Backfill:99999999999"), b64("Backfill:１２")],
)  # fmt: skip
def test_malformed_ids_are_bad_user_input(value):
    with pytest.raises(BadUserInput) as raised:
        decode_global_id(value)
    assert raised.value.argument == "id"


def test_id_of_another_type_is_bad_user_input():
    with pytest.raises(BadUserInput, match="DagRun, not of a Backfill"):
        decode_global_id_of(encode_global_id("DagRun", 1), "Backfill")
