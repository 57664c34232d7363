"""Engine creation, per-request read sessions and SQL statement recording.

Connectivity failures (server down, connections cut, pool exhausted, statement
timeout) leave this module as `resolvers.errors.ServiceUnavailable`, so the API
answers SERVICE_UNAVAILABLE instead of masking them as internal errors. The
pool pre-pings each connection it hands out, so a database that comes back is
used again without a restart.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import event, exc, text
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.sql import Executable

from backfill_gateway.resolvers.errors import ServiceUnavailable

logger = logging.getLogger("gateway.db")

# PostgreSQL SQLSTATEs meaning "not now": connection exceptions (class 08),
# statement timeout / cancel, server shutting down or starting, too many clients.
_UNAVAILABLE_SQLSTATES = {"57014", "57P01", "57P02", "57P03", "53300"}

# MySQL / MariaDB server errors meaning "not now" (client errors, 2000 and up, are
# all connection problems): too many connections, shutdown, lock wait timeout, query
# interrupted or over max_statement_time / max_execution_time, connection killed.
_UNAVAILABLE_MYSQL_ERRORS = {1040, 1053, 1205, 1317, 1927, 1969, 3024, 4031}
_UNAVAILABLE_SQLITE_MESSAGES = ("locked", "unable to open", "disk i/o", "busy")

# Most seconds a request waits for a usable connection: a free pool slot, then a
# new connection (or the pre-ping of a pooled one). Drivers bound the TCP connect
# but not always the handshake after it (aiomysql), nor the pre-ping.
_acquire_timeouts: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
# Engines whose connections default to AUTOCOMMIT (see create_engine).
_autocommit_engines: weakref.WeakSet = weakref.WeakSet()


@dataclass
class StatementLog:
    """SQL statements a unit of work (one GraphQL request, one CLI run) sent."""

    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)


_current_log: contextvars.ContextVar[StatementLog | None] = contextvars.ContextVar(
    "statement_log", default=None
)


@contextmanager
def recording_statements() -> Iterator[StatementLog]:
    """Record every statement executed in this context (and tasks it spawns)."""
    log = StatementLog()
    token = _current_log.set(log)
    try:
        yield log
    finally:
        _current_log.reset(token)


def _record_statement(conn, cursor, statement, parameters, context, executemany) -> None:
    log = _current_log.get()
    if log is not None:
        log.statements.append(statement)


def _json_serializer(value: Any) -> str:
    return orjson.dumps(value).decode()


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
    MariaDB `max_statement_time`. SQLite has neither.
    """
    backend = url.split(":", 1)[0].split("+", 1)[0]
    connect_args: dict[str, Any] = {}
    if backend == "postgresql":
        if connect_timeout is not None:
            connect_args["timeout"] = connect_timeout
        if statement_timeout:
            connect_args["server_settings"] = {
                "statement_timeout": str(max(1, round(statement_timeout * 1000)))
            }
    elif backend in ("mysql", "mariadb") and connect_timeout is not None:
        connect_args["connect_timeout"] = max(1, round(connect_timeout))
    engine = create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=pool_timeout,
        pool_pre_ping=True,
        json_serializer=_json_serializer,
        json_deserializer=orjson.loads,
        echo=echo,
        connect_args=connect_args,
        **({"isolation_level": "AUTOCOMMIT"} if autocommit else {}),
    )
    sync_engine = engine.sync_engine
    if autocommit:
        _autocommit_engines.add(sync_engine)
    if connect_timeout is not None:
        _acquire_timeouts[sync_engine] = pool_timeout + 2 * connect_timeout
    if engine.dialect.name == "sqlite":
        event.listen(sync_engine, "connect", _configure_sqlite)
    elif engine.dialect.name in ("mysql", "mariadb"):
        event.listen(sync_engine, "connect", _mysql_configurer(statement_timeout))
    event.listen(sync_engine, "before_cursor_execute", _record_statement)
    return engine


def _sqlstate(error: BaseException) -> str | None:
    orig = getattr(error, "orig", None)
    for candidate in (orig, getattr(orig, "__cause__", None)):
        code = getattr(candidate, "sqlstate", None) or getattr(candidate, "pgcode", None)
        if isinstance(code, str):
            return code
    return None


def is_unavailable(error: BaseException) -> bool:
    """Whether `error` means "the database cannot answer now" rather than a bug."""
    if isinstance(error, exc.TimeoutError):  # no pooled connection free within pool_timeout
        return True
    if isinstance(error, exc.DBAPIError):
        if error.connection_invalidated or isinstance(error, exc.InterfaceError):
            return True
        args = getattr(error.orig, "args", None) or (None,)
        if isinstance(args[0], int):
            # MySQL / MariaDB error number. The driver files some query errors
            # (collations, ...) as operational too: only these mean "unavailable".
            return args[0] in _UNAVAILABLE_MYSQL_ERRORS or args[0] >= 2000
        code = _sqlstate(error)
        if code is not None:  # PostgreSQL
            return code.startswith("08") or code in _UNAVAILABLE_SQLSTATES
        if isinstance(error, exc.OperationalError):  # SQLite: locked or unreadable
            message = str(error.orig).lower()
            return any(word in message for word in _UNAVAILABLE_SQLITE_MESSAGES)
        return False
    if isinstance(error, OSError):  # refused, reset, unreachable, connect timeout
        return True
    try:
        import asyncpg
    except ImportError:  # pragma: no cover - asyncpg is a dependency
        return False
    # Raised by asyncpg while connecting, before SQLAlchemy can wrap it.
    return isinstance(
        error,
        (asyncpg.exceptions.PostgresConnectionError, asyncpg.exceptions.InterfaceError,
         asyncpg.exceptions.CannotConnectNowError, asyncpg.exceptions.TooManyConnectionsError),
    )


def unavailable_error(error: BaseException) -> ServiceUnavailable:
    """The client-facing error for a connectivity failure; the details go to the log."""
    logger.warning(
        "database unavailable: %s: %s", type(error).__name__, (str(error).splitlines() or [""])[0][:300]
    )
    if _sqlstate(error) == "57014" or "max_statement_time" in str(error) or (
        "maximum statement execution time" in str(error)
    ):
        return ServiceUnavailable("The database did not answer within the statement timeout.")
    if isinstance(error, exc.TimeoutError):
        return ServiceUnavailable("No database connection is free; try again shortly.")
    return ServiceUnavailable("The database is unavailable; try again shortly.")


async def ping(engine: AsyncEngine) -> None:
    """One round trip to the database (readiness); raises when it cannot be made."""
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


class ReadSession:
    """One request's read access: a single lazily-acquired autocommit connection.

    The engine should default to autocommit (`create_engine(autocommit=True)`);
    otherwise each connection is switched to it after checkout.

    DataLoaders dispatch their batches concurrently; a connection runs one
    statement at a time, so statements are serialized with a lock. Reads need
    no transaction: each statement is consistent on its own, and skipping
    BEGIN/ROLLBACK saves two round trips per request.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._connection: AsyncConnection | None = None
        self._lock = asyncio.Lock()

    @property
    def dialect_name(self) -> str:
        return self._engine.dialect.name

    async def all(self, statement: Executable, parameters: dict | None = None) -> Sequence[Row]:
        async with self._lock:
            try:
                if self._connection is None:
                    async with asyncio.timeout(_acquire_timeouts.get(self._engine.sync_engine)):
                        connection = await self._engine.connect()
                    if connection.sync_engine not in _autocommit_engines:
                        connection = await connection.execution_options(
                            isolation_level="AUTOCOMMIT"
                        )
                    self._connection = connection
                result = await self._connection.execute(statement, parameters)
                return result.all()
            except Exception as error:
                if is_unavailable(error):
                    raise unavailable_error(error) from error
                raise

    async def abort(self) -> None:
        """Drop the connection at once, even with a statement in flight (request timeout)."""
        if self._connection is not None:
            connection, self._connection = self._connection, None
            try:
                await connection.invalidate()
                await connection.close()
            except Exception as error:  # noqa: BLE001
                logger.warning("discarding a database connection: %s", type(error).__name__)

    async def close(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            try:
                await connection.close()
            except Exception as error:  # noqa: BLE001 - a broken connection is dropped, not reused
                logger.warning("discarding a database connection: %s", type(error).__name__)
                try:
                    await connection.invalidate()
                except Exception:  # noqa: BLE001
                    pass
