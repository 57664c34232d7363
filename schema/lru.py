"""`LruCache`: a bounded mapping that forgets the least recently used entry first.

The one cache helper of the package: the selection analysis here, the fast
path's compiled plans and the query-cost programs (web/execution/) all use it.
It lives in schema/, the lowest layer using it, so every user imports downward.
Not thread-safe; each user touches it from the event loop only.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LruCache(Generic[K, V]):
    """Values by key, at most `maxsize` of them; None is a value like any other."""

    __slots__ = ("maxsize", "_entries")

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._entries: OrderedDict[K, V] = OrderedDict()

    def get_or_compute(self, key: K, compute: Callable[[], V]) -> V:
        """The cached value for `key`, or `compute()`'s, cached (evicting the oldest)."""
        entries = self._entries
        try:
            entries.move_to_end(key)
            return entries[key]
        except KeyError:
            pass
        value = entries[key] = compute()
        if len(entries) > self.maxsize:
            entries.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def peek(self, key: K, default: V | None = None) -> V | None:
        """The cached value for `key` (now the most recently used), or `default`."""
        entries = self._entries
        try:
            entries.move_to_end(key)
        except KeyError:
            return default
        return entries[key]
