"""`PrimedCache`: a DataLoader cache that takes values in bulk without a Future each."""

from __future__ import annotations

import asyncio
from collections.abc import Hashable, Mapping
from typing import Generic, TypeVar

from strawberry.dataloader import AbstractCache

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")


class PrimedCache(AbstractCache[K, T], Generic[K, T]):
    """Strawberry's default cache, plus `prime()`: values known before anyone loads them.

    A listing primes every backfill it read (up to hundreds a page) so that a later
    load by id costs no statement; most are never loaded again. `DataLoader.prime_many`
    makes a resolved Future per value up front; here the Future is made on the first
    load of a primed key, and priming is a dict insert.
    """

    __slots__ = ("futures", "primed")

    def __init__(self) -> None:
        self.futures: dict[K, asyncio.Future[T]] = {}
        self.primed: dict[K, T] = {}

    def prime(self, values: Mapping[K, T]) -> None:
        """Remember `values`; a key already loaded or primed keeps its value, as with
        `DataLoader.prime_many`."""
        futures, primed = self.futures, self.primed
        for key, value in values.items():
            if key not in futures:
                primed.setdefault(key, value)

    def get(self, key: K) -> asyncio.Future[T] | None:
        future = self.futures.get(key)
        if future is None and key in self.primed:
            future = self.futures[key] = asyncio.get_running_loop().create_future()
            future.set_result(self.primed.pop(key))
        return future

    def set(self, key: K, value: asyncio.Future[T]) -> None:
        self.futures[key] = value

    def delete(self, key: K) -> None:
        # A key is in one of the two dicts (get() moves it), KeyError in neither, as in
        # Strawberry's cache.
        if key in self.primed:
            del self.primed[key]
        else:
            del self.futures[key]

    def clear(self) -> None:
        self.futures.clear()
        self.primed.clear()
