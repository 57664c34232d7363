"""db.finalize.write_transaction: the isolation each database runs the finalize transaction at."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from backfill_gateway.db.engine import create_engine
from backfill_gateway.db.finalize import write_transaction


@pytest.fixture
async def engine(empty_database):
    # One pooled connection: the write transaction and the later read share it.
    engine = create_engine(empty_database.url, pool_size=1, max_overflow=0)
    yield engine
    await engine.dispose()


async def isolation(connection, backend: str) -> str:
    if backend == "postgresql":
        return await connection.scalar(text("SHOW transaction_isolation"))
    return await connection.scalar(text("SELECT @@tx_isolation"))  # MariaDB (MySQL 8: @@transaction_isolation)


async def test_servers_finalize_at_read_committed_and_reads_keep_the_default(engine, empty_database):
    backend = empty_database.backend
    if backend == "sqlite":
        pytest.skip("SQLite is serializable; see the BEGIN IMMEDIATE test")
    async with engine.connect() as connection:
        default = await isolation(connection, backend)
    async with write_transaction(engine) as connection:
        assert (await isolation(connection, backend)).replace("-", " ").lower() == "read committed"
    async with engine.connect() as connection:
        assert await isolation(connection, backend) == default


async def test_sqlite_takes_the_write_lock_up_front(engine, empty_database):
    if empty_database.backend != "sqlite":
        pytest.skip("SQLite only")
    other = create_engine(empty_database.url, pool_size=1, max_overflow=0)
    try:
        async with write_transaction(engine) as connection:
            await connection.exec_driver_sql("SELECT 1")  # no write yet
            async with other.connect() as blocked:
                blocked = await blocked.execution_options(isolation_level="AUTOCOMMIT")
                await blocked.exec_driver_sql("PRAGMA busy_timeout=0")
                with pytest.raises(Exception, match="database is locked"):
                    await blocked.exec_driver_sql("BEGIN IMMEDIATE")
        async with other.connect() as free:
            free = await free.execution_options(isolation_level="AUTOCOMMIT")
            await free.exec_driver_sql("BEGIN IMMEDIATE")
            await free.exec_driver_sql("ROLLBACK")
    finally:
        await other.dispose()
