"""`ReadSession`: one request's read access to the database."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql import Executable

from backfill_gateway.db.engine import acquire_timeout, defaults_to_autocommit
from backfill_gateway.db.errors import is_unavailable, unavailable_error

logger = logging.getLogger("gateway.db")


class ReadSession:
    """One request's read access: a single lazily-acquired autocommit connection.

    `engines` are the databases it may read from, in preference order (read replicas,
    then the primary: db.replicas.ReadEngines.order()); the connection is opened on the
    first. They should default to autocommit (`create_engine(autocommit=True)`);
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
        self._engine = self.engines[0]
        self._connection: AsyncConnection | None = None
        self._lock = asyncio.Lock()

    @property
    def dialect_name(self) -> str:
        return self._engine.dialect.name

    async def all(self, statement: Executable, parameters: dict | None = None) -> Sequence[Row]:
        async with self._lock:
            try:
                if self._connection is None:
                    async with asyncio.timeout(acquire_timeout(self._engine.sync_engine)):
                        connection = await self._engine.connect()
                    if not defaults_to_autocommit(connection.sync_engine):
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
