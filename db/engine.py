"""Engine creation for Airflow's database, with per-dialect session setup.

The pool pings each pooled connection it hands out (SQLAlchemy's pre-ping, done by a
checkout listener here), so a database that comes back is used again without a restart.
One exception saves a round trip per request: a caller that runs a statement again on a
fresh connection when its connection turns out lost (`ReadSession`, inside
`ping_only_idle_connections()`) gets a connection used within the last
`RECENTLY_USED_SECONDS` without a ping; on the same terms, its connection may stay checked
out for the next read session (db/kept_connections.py), so every other caller connects
through `checkout` / `connected`, which first gives kept connections back to the pool.
Every engine reports its statements to the statement recorder (db/statements.py).
"""

from __future__ import annotations

import asyncio
import contextvars
import time
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

import orjson
from sqlalchemy import event, exc, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import PoolProxiedConnection, QueuePool
from sqlalchemy.util import greenlet_spawn
from sqlalchemy.util.concurrency import await_

from backfill_gateway.db import kept_connections
from backfill_gateway.db.statements import record_statements_of

# The PostgreSQL application_name of the gateway's connections.
APPLICATION_NAME = "backfill-gateway"

# Most seconds a request waits for a usable connection: a free pool slot, then a
# new connection (or the pre-ping of a pooled one). Drivers bound the TCP connect
# but not always the handshake after it (aiomysql), nor the pre-ping.
_acquire_timeouts: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
# Engines whose connections default to AUTOCOMMIT (see create_engine).
_autocommit_engines: weakref.WeakSet = weakref.WeakSet()
# Callers waiting for a connection of each engine right now (a /metrics gauge).
_waiting: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

# A pooled connection checked in this recently is handed to a caller that retries lost
# connections itself without a ping: the ping was a round trip on every request (and most
# of a small request's database time), while a connection that died since is found by the
# statement and replaced by that caller. Longer idle connections (a database restart, a
# server's idle timeout) are pinged for everyone, so one retry is enough after an outage.
RECENTLY_USED_SECONDS = 2.0
_skip_recent_ping: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "skip_recent_ping", default=False
)
_CHECKED_IN_AT = "gateway_checked_in_at"


class ping_only_idle_connections:  # noqa: N801 (used as a function: `with ping_...():`)
    """Checkouts within: no ping for a connection used in the last RECENTLY_USED_SECONDS.
    Only for callers that run a statement again on a fresh connection when it was lost.
    A class, not a generator: entered once per request, and contextlib's generator
    machinery costs several times as much."""

    __slots__ = ("_token",)

    def __enter__(self) -> None:
        self._token = _skip_recent_ping.set(True)

    def __exit__(self, *exc_info) -> None:
        _skip_recent_ping.reset(self._token)


def _note_checkin(dbapi_connection, connection_record) -> None:
    if dbapi_connection is not None:
        connection_record.info[_CHECKED_IN_AT] = time.monotonic()


def _pinger(dialect):
    """A pool `checkout` listener doing SQLAlchemy's pre-ping, except as said above."""

    def ping_on_checkout(dbapi_connection, connection_record, connection_proxy) -> None:
        checked_in_at = connection_record.info.get(_CHECKED_IN_AT)
        if checked_in_at is None:
            return  # opened for this checkout: nothing to find out
        if _skip_recent_ping.get() and time.monotonic() - checked_in_at < RECENTLY_USED_SECONDS:
            return
        try:
            alive = dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            if not dialect.is_disconnect(error, dbapi_connection, None):
                raise
            alive = False
        if not alive:
            # The pool drops this connection and checks out a new one (SQLAlchemy's
            # documented way for a checkout listener to report a dead connection).
            raise exc.DisconnectionError("the pooled connection did not answer a ping")

    return ping_on_checkout


def _json_serializer(value: Any) -> str:
    return orjson.dumps(value).decode()


def _decode_json_in_c(dbapi_connection, connection_record) -> None:
    # `json` values (a backfill's conf, a run's conf on Airflow 2) straight to orjson, as
    # bytes: SQLAlchemy's asyncpg codec is a Python function per value decoding them to
    # str first (same values, ~3% of a 100-backfill listing). Runs after the dialect's.
    await_(
        dbapi_connection.driver_connection.set_type_codec(
            "json", encoder=str.encode, decoder=orjson.loads, schema="pg_catalog",
            format="binary",
        )
    )  # fmt: skip


def _configure_sqlite(dbapi_connection, connection_record) -> None:
    cursor = dbapi_connection.cursor()
    # Airflow runs SQLite with foreign keys on; writers wait instead of failing at once.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _mysql_configurer(statement_timeout: float):
    def configure(dbapi_connection, connection_record) -> None:
        cursor = dbapi_connection.cursor()
        # TIMESTAMP columns hold naive UTC only if the session time zone is UTC (as Airflow sets it).
        cursor.execute("SET time_zone = '+00:00'")
        if statement_timeout:
            cursor.execute("SELECT VERSION()")
            (version,) = cursor.fetchone()
            if "mariadb" in str(version).lower():
                cursor.execute(f"SET SESSION max_statement_time = {statement_timeout:.3f}")
            else:  # MySQL: milliseconds, SELECT statements only
                cursor.execute(f"SET SESSION max_execution_time = {round(statement_timeout * 1000)}")
        cursor.close()

    return configure


def create_engine(
    url: str,
    *,
    pool_size: int = 10,
    max_overflow: int = 10,
    pool_timeout: float = 5.0,
    connect_timeout: float | None = None,
    statement_timeout: float = 0,
    autocommit: bool = False,
    echo: bool = False,
) -> AsyncEngine:
    """An async engine for Airflow's database, with per-dialect session setup.

    `autocommit` makes AUTOCOMMIT the connections' default (the gateway's reads):
    no BEGIN/ROLLBACK around reads, and the pool's pre-ping is one round trip.
    Writers then choose their isolation level per connection.

    `connect_timeout` bounds opening a connection (so a dead server fails fast);
    `statement_timeout` (seconds, 0 = none) is enforced by the server on each
    statement: PostgreSQL `statement_timeout`, MySQL `max_execution_time`,
    MariaDB `max_statement_time`. SQLite has neither. PostgreSQL sessions run with
    `jit = off` and `plan_cache_mode = force_generic_plan`.
    """
    backend = url.split(":", 1)[0].split("+", 1)[0]
    connect_args: dict[str, Any] = {}
    if backend == "postgresql":
        if connect_timeout is not None:
            connect_args["timeout"] = connect_timeout
        # Operators (and the budget test) find the gateway's sessions in pg_stat_activity.
        # No JIT: the planner costs a per-backfill probe (status filters) as if it ran on
        # every row, so a statement that executes in ~10 ms crosses jit_above_cost and
        # spends hundreds of ms compiling; the gateway's statements are all this short.
        # Generic plans: every statement is prepared once per connection, and PostgreSQL
        # re-planned the slot pages on every execution (custom plans: 0 generic of 1,020
        # executions), ~0.3 ms each; the same statement planned once runs in half the time
        # (bench/README.md). Its plans do not depend on the values (ids, keys, limits).
        server_settings = {
            "application_name": APPLICATION_NAME,
            "jit": "off",
            "plan_cache_mode": "force_generic_plan",
        }
        if statement_timeout:
            server_settings["statement_timeout"] = str(max(1, round(statement_timeout * 1000)))
        connect_args["server_settings"] = server_settings
    elif backend in ("mysql", "mariadb") and connect_timeout is not None:
        connect_args["connect_timeout"] = max(1, round(connect_timeout))
    engine = create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=pool_timeout,
        pool_pre_ping=False,  # done by _pinger, see ping_only_idle_connections
        json_serializer=_json_serializer,
        json_deserializer=orjson.loads,
        echo=echo,
        connect_args=connect_args,
        **({"isolation_level": "AUTOCOMMIT"} if autocommit else {}),
    )
    sync_engine = engine.sync_engine
    event.listen(sync_engine.pool, "checkin", _note_checkin)
    event.listen(sync_engine.pool, "checkout", _pinger(engine.dialect))
    if autocommit:
        _autocommit_engines.add(sync_engine)
    if connect_timeout is not None:
        _acquire_timeouts[sync_engine] = pool_timeout + 2 * connect_timeout
    if engine.dialect.name == "sqlite":
        event.listen(sync_engine, "connect", _configure_sqlite)
    elif engine.dialect.driver == "asyncpg":
        event.listen(sync_engine, "connect", _decode_json_in_c)
    elif engine.dialect.name in ("mysql", "mariadb"):
        event.listen(sync_engine, "connect", _mysql_configurer(statement_timeout))
    record_statements_of(sync_engine)
    return engine


def acquire_timeout(sync_engine) -> float | None:
    """Most seconds to wait for a usable connection of this engine (None: no bound)."""
    return _acquire_timeouts.get(sync_engine)


async def checkout(engine: AsyncEngine) -> AsyncConnection:
    """A connection of `engine`, waiting at most its acquire timeout; counted as waiting
    meanwhile. Raises what the pool or the driver raised (or TimeoutError)."""
    return await _bounded(engine, engine.connect)


async def checkout_pooled(engine: AsyncEngine) -> PoolProxiedConnection:
    """A pooled DBAPI connection of `engine`, as `checkout` gets it (the pool's checkout
    listeners, bounded, counted) but without the Connection and AsyncConnection around it:
    making and closing those cost a small request ~4% of its CPU (bench/fixed_cost.py).
    Wrap it with `wrap_pooled` to run a statement through SQLAlchemy; else return it with
    `release_pooled`. Driver errors are wrapped as `engine.connect()` wraps them.

    Inside `ping_only_idle_connections()`, a connection kept by `release_pooled(keep_for=engine)`
    less than RECENTLY_USED_SECONDS ago comes first, without the pool (kept_connections.py)."""
    sync_engine = engine.sync_engine
    if _skip_recent_ping.get():
        pooled, stale = kept_connections.take(sync_engine, RECENTLY_USED_SECONDS)
        if stale:
            await _give_back(stale)
        if pooled is not None:
            return pooled
    return await _bounded(engine, partial(greenlet_spawn, _raw_connection, sync_engine))


def _raw_connection(sync_engine: Engine) -> PoolProxiedConnection:
    try:
        return sync_engine.raw_connection()
    except sync_engine.dialect.loaded_dbapi.Error as error:
        # What Connection.__init__ does with the same error: a sqlalchemy.exc.DBAPIError.
        Connection._handle_dbapi_exception_noconnection(error, sync_engine.dialect, sync_engine)
        raise


def wrap_pooled(engine: AsyncEngine, pooled: PoolProxiedConnection) -> AsyncConnection:
    """An AsyncConnection over a connection of `checkout_pooled`; closing it returns the
    pooled connection."""
    return AsyncConnection(engine, Connection(engine.sync_engine, connection=pooled))


async def release_pooled(
    pooled: PoolProxiedConnection,
    invalidate: bool = False,
    *,
    in_transaction: bool = True,
    keep_for: AsyncEngine | None = None,
) -> None:
    """Return a connection of `checkout_pooled` to its pool; `invalidate`: drop it (the
    pool opens a new one in its place). `in_transaction=False` (an autocommit connection
    with no transaction) lets it go back without a greenlet when the pool has room for it.
    `keep_for` (its engine; the caller retries a statement whose connection was lost):
    such a connection stays checked out for `engine`'s next `checkout_pooled` when nobody
    waits for the pool (kept_connections.py)."""
    if (
        keep_for is not None
        and not invalidate
        and not in_transaction
        and not _waiting.get(keep_for.sync_engine)
        and kept_connections.keep(keep_for.sync_engine, pooled)
    ):
        return
    if not invalidate and not in_transaction and _has_room(pooled):
        # Nothing on the way back awaits then: the reset on return is a rollback that is
        # a no-op without a transaction, and the pool keeps the connection (a full pool
        # would close it, which is IO). A greenlet costs ~2% of a small request.
        pooled.close()
        return
    await greenlet_spawn(pooled.invalidate if invalidate else pooled.close)


def _has_room(pooled: PoolProxiedConnection) -> bool:
    pool = pooled._pool
    return isinstance(pool, QueuePool) and pool.checkedin() < pool.size()


async def _bounded(engine: AsyncEngine, acquire):
    sync_engine = engine.sync_engine
    _waiting[sync_engine] = _waiting.get(sync_engine, 0) + 1
    try:
        # Kept connections are idle: whoever comes to the pool must find them there.
        kept = kept_connections.take_all(sync_engine)
        if kept:
            await _give_back(kept)
        async with asyncio.timeout(acquire_timeout(sync_engine)):
            return await acquire()
    finally:
        _waiting[sync_engine] -= 1


@asynccontextmanager
async def connected(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """`engine.connect()` through `checkout`: bounded and counted while waiting."""
    connection = await checkout(engine)
    try:
        yield connection
    finally:
        await connection.close()


async def _give_back(kept: list[tuple[PoolProxiedConnection, float]]) -> None:
    for pooled, kept_at in kept:
        info = pooled.info
        try:
            await release_pooled(pooled, in_transaction=False)
        except Exception:  # noqa: BLE001 - a broken connection is dropped, not given back
            try:
                await release_pooled(pooled, invalidate=True)
            except Exception:  # noqa: BLE001, S110
                pass
            continue
        # Last used when it was kept, not now: the ping on checkout goes by that.
        info[_CHECKED_IN_AT] = kept_at


def connections_in_use(engine: AsyncEngine) -> int:
    """Connections of `engine`'s pool checked out and not kept (kept_connections.py)."""
    return engine.pool.checkedout() - kept_connections.kept_count(engine.sync_engine)


def idle_connections(engine: AsyncEngine) -> int:
    """Connections of `engine`'s pool nobody uses: checked in, or kept."""
    return engine.pool.checkedin() + kept_connections.kept_count(engine.sync_engine)


def waiting_for_connection(engine: AsyncEngine) -> int:
    """How many callers are waiting for a connection of `engine` now."""
    return _waiting.get(engine.sync_engine, 0)


def defaults_to_autocommit(sync_engine) -> bool:
    """Whether this engine's connections are AUTOCOMMIT without asking."""
    return sync_engine in _autocommit_engines


async def ping(engine: AsyncEngine) -> None:
    """One round trip to the database (readiness); raises when it cannot be made."""
    async with connected(engine) as connection:
        await connection.execute(text("SELECT 1"))
