"""`ReadSession`: one request's read access to the database."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from contextlib import nullcontext
from functools import partial

from sqlalchemy import exc
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql import Executable

from backfill_gateway.db.asyncpg_reads import AsyncpgReads, compiled_read, engine_reads_directly
from backfill_gateway.db.engine import (
    checkout,
    checkout_pooled,
    defaults_to_autocommit,
    ping_only_idle_connections,
    release_pooled,
    wrap_pooled,
)
from backfill_gateway.db.errors import (
    DatabaseUnavailable,
    PoolExhausted,
    is_connection_lost,
    is_unavailable,
    unavailable_error,
)
from backfill_gateway.db.statements import note_read_retry

logger = logging.getLogger("gateway.db")


class ReadSession:
    """One request's read access: a single lazily-acquired autocommit connection.

    `engines` are the databases it may read from, in preference order (read replicas,
    then the primary: db.replicas.ReadEngines.order()); the connection is opened on the
    first. A statement whose connection is lost under it
    (killed, reset: `db.errors.is_connection_lost`) runs once more on a fresh connection
    of the next engine (the same one when there is only one), so a failover or a pooler
    restart costs the client nothing. Reads are idempotent and nothing has been answered
    yet, so the retry is invisible. Statement timeouts, SQL errors and an exhausted pool
    are never retried. A second engine is also tried when the first cannot be reached.

    The engines should default to autocommit (`create_engine(autocommit=True)`);
    otherwise each connection is switched to it after checkout.

    DataLoaders dispatch their batches concurrently; a connection runs one
    statement at a time, so statements are serialized with a lock. Reads need
    no transaction: each statement is consistent on its own, and skipping
    BEGIN/ROLLBACK saves two round trips per request.
    """

    def __init__(self, engines: Sequence[AsyncEngine]) -> None:
        if not engines:
            raise ValueError("a ReadSession needs at least one engine")
        self.engines = tuple(engines)
        self._current = 0  # index of the engine the connection is (to be) opened on
        self._connection: AsyncConnection | None = None  # SQLAlchemy's, once a read needs it
        # Checked out for direct reads and not wrapped in an AsyncConnection (yet).
        self._pooled: PoolProxiedConnection | None = None
        self._direct: AsyncpgReads | None = None  # reads bypassing SQLAlchemy's execute path
        self._invalid = False  # a direct read lost or interrupted its connection
        self._exhausted: PoolExhausted | None = None
        self._aborted = False
        self._lock = asyncio.Lock()

    @property
    def engine(self) -> AsyncEngine:
        """The engine this session reads from now."""
        return self.engines[self._current]

    @property
    def dialect_name(self) -> str:
        return self.engines[0].dialect.name

    async def all(self, statement: Executable, parameters: dict | None = None) -> Sequence[Row]:
        async with self._lock:
            if self._aborted:
                raise DatabaseUnavailable("The request was abandoned.")
            if self._exhausted is not None:
                # The pool had no connection within its timeout: the rest of the request
                # fails at once instead of waiting that long again per statement.
                raise self._exhausted
            connected = self._connection is not None or self._pooled is not None
            try:
                return await self._execute(statement, parameters)
            except Exception as error:
                retry = is_connection_lost(error) or (
                    # The next engine when this one cannot be reached; never for a full
                    # pool (the budget working), which another engine must not absorb.
                    not connected and len(self.engines) > 1 and is_unavailable(error)
                    and not isinstance(error, exc.TimeoutError)
                )
                if not retry:
                    raise self._unavailable_or(error) from error
                lost = error
            if self._aborted:
                # The request is over (timed out): its DataLoader tasks must not open a
                # new connection for a statement nobody waits for.
                raise DatabaseUnavailable("The request was abandoned.") from lost
            await self._discard()
            self._current = (self._current + 1) % len(self.engines)
            note_read_retry()
            logger.info("read retried on a fresh connection after %s", type(lost).__name__)
            try:
                # Pinged whatever its age: the pool may hold more connections that died
                # with this one.
                return await self._execute(statement, parameters, ping_recent=True)
            except Exception as error:
                raise self._unavailable_or(error) from error

    async def _execute(
        self, statement: Executable, parameters: dict | None, ping_recent: bool = False
    ) -> Sequence[Row]:
        if self._connection is None and self._pooled is None:
            await self._check_out(ping_recent)
        direct = self._direct
        if direct is not None and direct.usable():
            read = compiled_read(statement, parameters, direct.dialect)
            if read is not None:
                try:
                    return await direct.all(read, parameters)
                except BaseException as error:
                    # As SQLAlchemy invalidates a connection after a disconnect or a
                    # statement interrupted by cancellation: it goes, not back to the pool.
                    if not isinstance(error, Exception) or getattr(
                        error, "connection_invalidated", False
                    ):
                        self._invalid = True
                    raise
        connection = self._connection
        if connection is None:
            # A statement direct reads do not run: SQLAlchemy's connection, over the same one.
            connection = self._connection = wrap_pooled(self.engine, self._pooled)
            self._pooled = None
        result = await connection.execute(statement, parameters)
        return result.all()

    async def _check_out(self, ping_recent: bool) -> None:
        engine = self.engine
        # A statement whose connection was lost runs again (all()): a connection in use
        # moments ago needs no ping first.
        with nullcontext() if ping_recent else ping_only_idle_connections():
            if engine_reads_directly(engine) and defaults_to_autocommit(engine.sync_engine):
                # No Connection objects around it until a statement needs SQLAlchemy's.
                self._pooled = await checkout_pooled(engine)
                self._direct = AsyncpgReads.of_pooled(engine, self._pooled)
                return
            connection = await checkout(engine)
        if not defaults_to_autocommit(connection.sync_engine):
            connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
        self._connection = connection
        self._direct = await AsyncpgReads.of(connection)

    def _unavailable_or(self, error: Exception) -> Exception:
        """The error to raise: DatabaseUnavailable for an outage, else the error itself."""
        if not is_unavailable(error):
            return error
        unavailable = unavailable_error(error)
        if isinstance(unavailable, PoolExhausted):
            self._exhausted = unavailable
        return unavailable

    async def _discard(self) -> None:
        """Drop the (broken) connection; the pool replaces it."""
        connection, pooled = self._connection, self._pooled
        self._connection = self._pooled = None
        self._direct, self._invalid = None, False
        try:
            if connection is not None:
                await connection.invalidate()
                await connection.close()
            elif pooled is not None:
                await release_pooled(pooled, invalidate=True)
        except Exception as error:  # noqa: BLE001
            logger.warning("discarding a database connection: %s", type(error).__name__)

    async def abort(self) -> None:
        """Drop the connection at once, even with a statement in flight (request timeout);
        nothing runs on this session afterwards."""
        self._aborted = True
        await self._discard()

    async def close(self) -> None:
        if self._invalid:
            await self._discard()
        connection, pooled, direct = self._connection, self._pooled, self._direct
        self._connection = self._pooled = self._direct = None
        if connection is not None:
            await _return_to_pool(connection.close, connection.invalidate)
        elif pooled is not None:
            in_transaction = direct is None or not direct.usable()
            # Kept for the next read session when clean: it retries a lost connection too.
            await _return_to_pool(
                partial(
                    release_pooled, pooled, in_transaction=in_transaction, keep_for=self.engine
                ),
                partial(release_pooled, pooled, invalidate=True),
            )


async def _return_to_pool(close, invalidate) -> None:
    try:
        await close()
    except Exception as error:  # noqa: BLE001 - a broken connection is dropped, not reused
        logger.warning("discarding a database connection: %s", type(error).__name__)
        try:
            await invalidate()
        except Exception:  # noqa: BLE001
            pass
