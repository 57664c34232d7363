"""Loading the dataset into a database, and the demo SQLite file."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: one process builds the demo at a time there
    fcntl = None

from sqlalchemy import JSON, Table, insert, null, text
from sqlalchemy.ext.asyncio import AsyncEngine

from backfill_gateway.db import tables
from backfill_gateway.db.engine import create_engine
from backfill_gateway.demo.assembly import build_demo_dataset
from backfill_gateway.demo.dataset import DemoDataset

# FK order: dag_run references backfill, backfill_dag_run references both,
# task_instance its dag_run.
_LOAD_ORDER = (
    ("dags", tables.dag),
    ("backfills", tables.backfill),
    ("dag_runs", tables.dag_run),
    ("backfill_dag_runs", tables.backfill_dag_run),
    ("task_instances", tables.task_instance),
)
_SERIAL_TABLES = (tables.backfill, tables.dag_run, tables.backfill_dag_run)


def _bindable(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    """Send `None` in JSON columns as SQL NULL (SQLAlchemy would write JSON `null`)."""
    json_columns = [c.name for c in table.columns if isinstance(c.type, JSON)]
    return {k: null() if v is None and k in json_columns else v for k, v in row.items()}


async def load_demo_dataset(engine: AsyncEngine, dataset: DemoDataset) -> None:
    """Insert the dataset into existing, empty tables, in one transaction."""
    async with engine.begin() as conn:
        for attribute, table in _LOAD_ORDER:
            rows = getattr(dataset, attribute)
            if rows:
                await conn.execute(insert(table), [_bindable(table, row) for row in rows])
        if conn.dialect.name == "postgresql":
            # Explicit ids leave the serial sequences behind; later inserts would collide.
            for table in _SERIAL_TABLES:
                await conn.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"coalesce(max(id), 1), max(id) IS NOT NULL) FROM {table.name}"
                ))


async def create_demo_database(path: Path, now: datetime | None = None) -> DemoDataset:
    """(Re)create the demo SQLite file at `path` atomically and return its dataset."""
    path = Path(path)
    dataset = build_demo_dataset(now or datetime.now(UTC))
    building = path.with_suffix(".tmp")
    _remove_sqlite_files(building)
    engine = create_engine(f"sqlite+aiosqlite:///{building}")
    try:
        async with engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.exec_driver_sql("PRAGMA journal_mode=WAL")
        async with engine.begin() as conn:
            await conn.run_sync(tables.metadata.create_all)
        await load_demo_dataset(engine, dataset)
        async with engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            # Everything into the main file: a -wal file would not follow the rename.
            await conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        await engine.dispose()
    # A leftover -wal of the old file would be replayed onto the new one.
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    os.replace(building, path)
    _remove_sqlite_files(building)
    return dataset


@asynccontextmanager
async def demo_creation_lock(path: Path) -> AsyncIterator[None]:
    """Held while a process checks the demo file at `path` and (re)creates it: workers
    started together (`serve --workers N`) would otherwise build it at the same time, over
    each other's temporary file, and all but one fail to start. An exclusive lock on
    `<path>.lock`; the kernel drops it if the process dies."""
    if fcntl is None:  # pragma: no cover
        yield
        return
    with open(f"{path}.lock", "ab") as lock_file:
        await asyncio.to_thread(fcntl.flock, lock_file.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file.fileno(), fcntl.LOCK_UN)


def _remove_sqlite_files(path: Path) -> None:
    for name in (str(path), f"{path}-wal", f"{path}-shm", f"{path}-journal"):
        Path(name).unlink(missing_ok=True)
