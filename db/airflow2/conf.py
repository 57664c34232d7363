"""Airflow 2's `dag_run.conf`: a pickle, read by a restricted unpickler that runs nothing.

Airflow 2 stores the conf with SQLAlchemy's PickleType. Unpickling arbitrary bytes from a
database can run any code (a pickle names callables and their arguments), so only the
pickle opcodes of plain data are allowed: every global and class lookup is refused, which
makes REDUCE, BUILD, NEWOBJ and INST impossible, and the result must consist of dict,
list, tuple, str, int, float, bool and None only. Anything else is "unreadable".
"""

from __future__ import annotations

import io
import pickle
from typing import Any

PLAIN_SCALARS = (str, int, float, bool, type(None))
MAX_DEPTH = 100
MAX_NODES = 100_000


class Refused(pickle.UnpicklingError):
    """The pickle names a global or holds something that is not plain data."""


class PlainDataUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        raise Refused(f"global {module}.{name} refused")

    def persistent_load(self, pid: Any) -> Any:
        raise Refused("persistent id refused")


def _check_plain(value: Any) -> None:
    """Plain data only, at most MAX_DEPTH deep and MAX_NODES values in all: the memo lets a
    small pickle share one list many times over (or hold itself), which would otherwise
    take exponential time to walk."""
    budget = MAX_NODES
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        budget -= 1
        if budget < 0:
            raise Refused("too many values")
        if depth > MAX_DEPTH:
            raise Refused("nested too deeply")
        kind = type(item)
        if kind in PLAIN_SCALARS:
            continue
        if kind is dict:
            for key, child in item.items():
                if type(key) not in PLAIN_SCALARS:
                    raise Refused(f"dict key of type {type(key).__name__}")
                stack.append((child, depth + 1))
        elif kind in (list, tuple):
            stack.extend((child, depth + 1) for child in item)
        else:
            raise Refused(f"value of type {kind.__name__}")


def _jsonable(value: Any) -> Any:
    """Tuples as lists and keys as strings, as JSON shows them."""
    if type(value) is dict:
        return {key if isinstance(key, str) else str(key): _jsonable(v) for key, v in value.items()}
    if type(value) in (list, tuple):
        return [_jsonable(item) for item in value]
    return value


def decode_conf(raw: bytes | None) -> tuple[Any, bool]:
    """(value, unreadable): the plain data of a pickled conf, or (None, True) when the bytes
    are not a pickle of plain data. NULL is (None, False)."""
    if raw is None:
        return None, False
    try:
        value = PlainDataUnpickler(io.BytesIO(bytes(raw))).load()
        _check_plain(value)
    except Exception:  # noqa: BLE001 - any failure, refusal or corruption: unreadable
        return None, True
    return _jsonable(value), False
