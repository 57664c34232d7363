"""The one cache helper: bounded, least recently used out, None cached like any value."""

from backfill_gateway.schema.lru import LruCache


def test_the_least_recently_used_entry_goes_first():
    cache: LruCache[str, int] = LruCache(2)
    computed = []

    def value(key: str, number: int):
        def compute() -> int:
            computed.append(key)
            return number
        return cache.get_or_compute(key, compute)

    assert value("a", 1) == 1 and value("b", 2) == 2
    assert value("a", 99) == 1  # a hit: not recomputed, and now the most recent
    assert value("c", 3) == 3  # evicts b, the least recently used
    assert len(cache) == 2 and "a" in cache and "b" not in cache
    assert value("b", 4) == 4
    assert computed == ["a", "b", "c", "b"]


def test_none_is_cached():
    cache: LruCache[str, None] = LruCache(4)
    calls = []
    for _ in range(3):
        assert cache.get_or_compute("refused", lambda: calls.append(1)) is None
    assert calls == [1]
