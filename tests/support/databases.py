"""Throwaway databases with Airflow's schema on SQLite, PostgreSQL and MariaDB.

Each test session creates its own uniquely named database on each server and
drops it afterwards, so concurrent runs on one server never see each other.
`TEST_POSTGRES_URL` / `TEST_MYSQL_URL` name the servers; when one is set the
server must be reachable (CI), when unset the local default is tried and the
tests on it are skipped, with the reason, if it is not there.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from backfill_gateway.db.engine import create_engine
from backfill_gateway.db.tables import metadata
from backfill_gateway.db.urls import to_async_url

DEFAULT_SERVER_URLS = {
    "postgresql": "postgresql://postgres@127.0.0.1:5432/test",
    "mysql": "mysql://root@127.0.0.1:3306/test",
}
SERVER_URL_VARIABLES = {"postgresql": "TEST_POSTGRES_URL", "mysql": "TEST_MYSQL_URL"}
BACKENDS = ("sqlite", "postgresql", "mysql")


class ServerUnavailable(Exception):
    """The server for a backend cannot be reached; `required` when CI asked for it."""

    def __init__(self, message: str, required: bool) -> None:
        super().__init__(message)
        self.required = required


def server_url(backend: str) -> tuple[str, bool]:
    variable = SERVER_URL_VARIABLES[backend]
    configured = os.environ.get(variable)
    return to_async_url(configured or DEFAULT_SERVER_URLS[backend]), bool(configured)


@dataclass(frozen=True)
class ThrowawayDatabase:
    backend: str
    url: str
    version: str = "3.3"  # the Airflow schema version created in it (tests/support/airflow_versions)


async def _admin(url: str, statement: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


@asynccontextmanager
async def throwaway_database(backend: str, tmp_dir: Path) -> AsyncIterator[ThrowawayDatabase]:
    """An empty database (no tables) of `backend`, dropped on exit."""
    name = f"gw_test_{os.getpid()}_{uuid.uuid4().hex[:10]}"
    if backend == "sqlite":
        yield ThrowawayDatabase(backend, to_async_url(f"sqlite:///{tmp_dir / (name + '.sqlite')}"))
        return
    url, required = server_url(backend)
    variable = SERVER_URL_VARIABLES[backend]
    try:
        await _admin(url, f"CREATE DATABASE {name}")
    except Exception as error:  # noqa: BLE001 - any failure means: no usable server
        shown = make_url(url).render_as_string(hide_password=True)
        raise ServerUnavailable(
            f"{backend} server not reachable at {shown} ({type(error).__name__}: {error}); "
            f"set {variable} to test on it",
            required,
        ) from error
    try:
        yield ThrowawayDatabase(
            backend, make_url(url).set(database=name).render_as_string(hide_password=False)
        )
    finally:
        await _admin(url, f"DROP DATABASE IF EXISTS {name}")


async def create_airflow_schema(url: str) -> AsyncEngine:
    """Create Airflow's tables in an empty database; returns a gateway-configured engine."""
    engine = create_engine(url, pool_size=2, max_overflow=2)
    async with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            await connection.exec_driver_sql("PRAGMA journal_mode=WAL")
        await connection.run_sync(metadata.create_all)
    return engine
