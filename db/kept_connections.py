"""Connections that read sessions gave back, kept checked out for the next read session.

SQLAlchemy's checkout and checkin of a pooled connection (a greenlet, the fairy and its
weak reference, the pool's events, its reset and its queue) cost ~100 us of worker CPU
per request, a tenth of a small query's (bench/README.md). A read session's connection
that comes back clean (autocommit, no transaction, not broken) therefore stays checked
out here when nobody waits for the pool and the pool keeps room for one more connection;
the next read session takes the most recently kept one, on the terms on which the pool
hands out a recently used connection without a ping (db/engine.py). Older ones go back to
the pool, which pings them.

For the pool they are checked out, so they go back to it whenever someone else needs the
pool (db/engine.py: every checkout through it first gives them back), and they are closed
when the engine is disposed. Only the PostgreSQL direct-read path keeps connections
(db/session.py); the metrics count them as idle.
"""

from __future__ import annotations

import time
import weakref

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import PoolProxiedConnection, QueuePool

# Per engine: (connection, when it was kept), the most recently kept last.
_kept: weakref.WeakKeyDictionary[Engine, list[tuple[PoolProxiedConnection, float]]] = (
    weakref.WeakKeyDictionary()
)


def keep(sync_engine: Engine, pooled: PoolProxiedConnection) -> bool:
    """Keep `pooled` (a clean connection of `sync_engine`'s pool) for the next read session
    when the pool would keep it too (idle connections, kept ones included, stay within
    its size: an overflow connection beyond that is closed) and still has room for
    another caller. False: not kept."""
    pool = pooled._pool
    if not isinstance(pool, QueuePool) or pool is not sync_engine.pool:
        return False
    kept = _kept.get(sync_engine)
    if pool.checkedin() + (len(kept) if kept else 0) >= pool.size():
        return False
    overflow = pool._max_overflow
    if overflow >= 0 and pool.checkedout() >= pool.size() + overflow:
        return False  # at its limit: the connection goes back for the next caller
    if kept is None:
        kept = _kept[sync_engine] = []
        event.listen(sync_engine, "engine_disposed", _close_kept)
    kept.append((pooled, time.monotonic()))
    return True


def take(
    sync_engine: Engine, max_age: float
) -> tuple[PoolProxiedConnection | None, list[tuple[PoolProxiedConnection, float]]]:
    """The most recently kept connection when it was kept less than `max_age` seconds ago,
    and the (connection, when kept) to give back to the pool: all, when it was older."""
    kept = _kept.get(sync_engine)
    if not kept:
        return None, []
    pooled, kept_at = kept[-1]
    if time.monotonic() - kept_at < max_age:
        kept.pop()
        return pooled, []
    return None, take_all(sync_engine)


def take_all(sync_engine: Engine) -> list[tuple[PoolProxiedConnection, float]]:
    """Every kept (connection, when kept) of `sync_engine`, no longer kept (to give back)."""
    kept = _kept.get(sync_engine)
    if not kept:
        return []
    taken = kept[:]
    kept.clear()
    return taken


def kept_count(sync_engine: Engine) -> int:
    """How many connections of `sync_engine` are kept now."""
    kept = _kept.get(sync_engine)
    return len(kept) if kept else 0


def _close_kept(sync_engine: Engine) -> None:
    # Engine.dispose() replaced the pool: its kept connections are closed, as dispose
    # closes the pool's idle ones (AsyncEngine.dispose runs this inside its greenlet).
    for pooled, _ in take_all(sync_engine):
        try:
            pooled.invalidate()
        except Exception:  # noqa: BLE001, S110 - closing a connection nobody will use
            pass
