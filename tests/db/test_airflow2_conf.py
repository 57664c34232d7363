"""Airflow 2's pickled `dag_run.conf`: plain data is read, everything else refused unexecuted."""

from __future__ import annotations

import os
import pickle
import subprocess

import pytest

from backfill_gateway.db.airflow2.conf import decode_conf


class Exploit:
    def __init__(self, path: str, call=os.system) -> None:
        self.path, self.call = path, call

    def __reduce__(self):
        return (self.call, (f"touch {self.path}",))


class Plain:
    pass


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_plain_data_of_every_protocol(protocol):
    value = {"a": 1, "b": [1.5, True, None, "x", ("t", 2)], "nested": {"deep": [[]]}, 3: "int key"}
    assert decode_conf(pickle.dumps(value, protocol=protocol)) == (
        {"a": 1, "b": [1.5, True, None, "x", ["t", 2]], "nested": {"deep": [[]]}, "3": "int key"},
        False,
    )


def test_null_and_empty():
    assert decode_conf(None) == (None, False)
    assert decode_conf(pickle.dumps({})) == ({}, False)
    assert decode_conf(memoryview(pickle.dumps([1]))) == ([1], False)  # asyncpg/aiosqlite types


@pytest.mark.parametrize("call", [os.system, subprocess.call, eval], ids=["os.system", "subprocess", "eval"])
def test_a_pickle_that_calls_anything_is_refused_and_never_runs(tmp_path, call):
    marker = tmp_path / "pwned"
    for protocol in (0, 2, pickle.HIGHEST_PROTOCOL):
        raw = pickle.dumps({"conf": Exploit(str(marker), call)}, protocol=protocol)
        assert decode_conf(raw) == (None, True)
    assert not marker.exists()
    # The same bytes would run the command under pickle.loads: the test's exploit is real.
    if call is os.system:
        pickle.loads(pickle.dumps(Exploit(str(marker))))
        assert marker.exists()


@pytest.mark.parametrize(
    "value",
    [{1, 2}, frozenset({1}), b"bytes", bytearray(b"x"), Plain(), {"k": Plain()}, {(1, 2): "tuple key"},
     complex(1, 2), range(3)],
    ids=lambda v: type(v).__name__,
)
def test_anything_but_plain_data_is_unreadable(value):
    assert decode_conf(pickle.dumps(value)) == (None, True)


@pytest.mark.parametrize("raw", [b"", b"not a pickle", b"\x80\x05\x95", pickle.dumps({"a": 1})[:-3]])
def test_corrupt_bytes_are_unreadable(raw):
    assert decode_conf(raw) == (None, True)


def test_shared_and_self_referencing_structures_are_refused_quickly():
    shared: list = []
    for _ in range(60):  # 2**60 paths through 60 small lists
        shared = [shared, shared]
    assert decode_conf(pickle.dumps(shared)) == (None, True)
    looping: list = []
    looping.append(looping)
    assert decode_conf(pickle.dumps({"a": looping})) == (None, True)
