"""Engine creation, per-request read sessions and SQL statement recording."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import event
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.sql import Executable


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


def _configure_mysql(dbapi_connection, connection_record) -> None:
    cursor = dbapi_connection.cursor()
    # TIMESTAMP columns hold naive UTC only if the session time zone is UTC (as Airflow sets it).
    cursor.execute("SET time_zone = '+00:00'")
    cursor.close()


def create_engine(
    url: str,
    *,
    pool_size: int = 10,
    max_overflow: int = 10,
    pool_timeout: float = 5.0,
    echo: bool = False,
) -> AsyncEngine:
    """An async engine for Airflow's database, with per-dialect session setup."""
    engine = create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=pool_timeout,
        pool_pre_ping=True,
        json_serializer=_json_serializer,
        json_deserializer=orjson.loads,
        echo=echo,
    )
    sync_engine = engine.sync_engine
    if engine.dialect.name == "sqlite":
        event.listen(sync_engine, "connect", _configure_sqlite)
    elif engine.dialect.name in ("mysql", "mariadb"):
        event.listen(sync_engine, "connect", _configure_mysql)
    event.listen(sync_engine, "before_cursor_execute", _record_statement)
    return engine


class ReadSession:
    """One request's read access: a single lazily-acquired autocommit connection.

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

    async def all(self, statement: Executable) -> Sequence[Row]:
        async with self._lock:
            if self._connection is None:
                connection = await self._engine.connect()
                self._connection = await connection.execution_options(
                    isolation_level="AUTOCOMMIT"
                )
            result = await self._connection.execute(statement)
            return result.all()

    async def close(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            await connection.close()
