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


class Refused(pickle.UnpicklingError):
    """The pickle names a global or holds something that is not plain data."""


class PlainDataUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        raise Refused(f"global {module}.{name} refused")

    def persistent_load(self, pid: Any) -> Any:
        raise Refused("persistent id refused")


def _check_plain(value: Any, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise Refused("nested too deeply")
    kind = type(value)
    if kind in PLAIN_SCALARS:
        return
    if kind is dict:
        for key, item in value.items():
            if type(key) not in PLAIN_SCALARS:
                raise Refused(f"dict key of type {type(key).__name__}")
            _check_plain(item, depth + 1)
        return
    if kind in (list, tuple):
        for item in value:
            _check_plain(item, depth + 1)
        return
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
