"""The per-version table definitions used for MariaDB (tests/support/airflow_versions.py)
are Airflow's DDL of that version, column for column.

MariaDB has no dump, so its tables come from db/tables.py minus the columns a version
lacks, with that version's nullability. Built on SQLite and PostgreSQL, those definitions
must give the same columns (name, type, nullability, default), keys and indexes as the DDL
`airflow db migrate` of that release wrote. Column order is not compared: Airflow's own
upgraded databases differ from fresh ones there (versions/README.md).
"""

from __future__ import annotations

import sqlite3
from contextlib import AsyncExitStack

import asyncpg
import pytest
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.engine import make_url

from backfill_gateway.db.engine import create_engine
from tests.conftest import _enter_database
from tests.support.airflow_versions import VERSIONS, ddl, version_metadata


def sqlite_shape(path) -> dict:
    with sqlite3.connect(path) as connection:
        tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {
            "columns": {t: sorted(tuple(r[1:]) for r in connection.execute(f"PRAGMA table_info({t})")) for t in tables},
            "indexes": sorted(
                " ".join(sql.split())
                for (sql,) in connection.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
            ),
            "foreign_keys": {t: sorted(tuple(r[2:]) for r in connection.execute(f"PRAGMA foreign_key_list({t})")) for t in tables},
        }  # fmt: skip


@pytest.mark.parametrize("version", VERSIONS)
def test_sqlite_tables_are_the_versions_ddl(tmp_path, version):
    reference = tmp_path / "airflow.sqlite"
    with sqlite3.connect(reference) as connection:
        connection.executescript(ddl(version, "sqlite"))
    ours = tmp_path / "ours.sqlite"
    engine = create_sync_engine(f"sqlite:///{ours}")
    version_metadata(version).create_all(engine)
    engine.dispose()
    assert sqlite_shape(ours) == sqlite_shape(reference)


PG_SHAPE = {
    "columns": """
        SELECT table_name, column_name, data_type, character_maximum_length, is_nullable,
               column_default
        FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2""",
    "constraints": """
        SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
        FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2""",
    "indexes": "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1, 2",
}  # fmt: skip


async def pg_shape(url: str) -> dict:
    connection = await asyncpg.connect(make_url(url).set(drivername="postgresql").render_as_string(False))
    try:
        return {name: [tuple(r) for r in await connection.fetch(q)] for name, q in PG_SHAPE.items()}
    finally:
        await connection.close()


@pytest.mark.parametrize("version", VERSIONS)
async def test_postgresql_tables_are_the_versions_ddl(tmp_path_factory, version):
    async with AsyncExitStack() as stack:
        reference = await _enter_database("postgresql", tmp_path_factory, stack)
        ours = await _enter_database("postgresql", tmp_path_factory, stack)
        connection = await asyncpg.connect(
            make_url(reference.url).set(drivername="postgresql").render_as_string(False)
        )
        try:
            await connection.execute(ddl(version, "postgresql"))
        finally:
            await connection.close()
        engine = create_engine(ours.url)
        try:
            async with engine.begin() as connection:
                await connection.run_sync(version_metadata(version).create_all)
        finally:
            await engine.dispose()
        expected, actual = await pg_shape(reference.url), await pg_shape(ours.url)
        for part in PG_SHAPE:
            assert actual[part] == expected[part], part
