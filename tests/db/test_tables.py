"""Our table definitions create exactly Airflow's schema (tests/airflow_ddl/).

SQLite and PostgreSQL are compared with the DDL that `airflow db migrate`
produced, catalog entry for catalog entry. MariaDB has no dump here, so its
columns are compared with the SQLite reference (names, order, nullability)
plus the MySQL storage rules from the notes (TIMESTAMP(6), binary ids).
"""

from __future__ import annotations

import sqlite3
from contextlib import AsyncExitStack
from pathlib import Path

import asyncpg
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy import text
from sqlalchemy.engine import make_url

from backfill_gateway.db.tables import metadata
from tests.conftest import _enter_database
from tests.support.databases import create_airflow_schema

DDL_DIR = Path(__file__).resolve().parents[1] / "airflow_ddl"
TABLES = ("alembic_version", "backfill", "backfill_dag_run", "dag", "dag_run", "log", "task_instance")
TIMESTAMP_COLUMNS = {
    (table.name, column.name)
    for table in metadata.sorted_tables
    for column in table.columns
    if column.type.__class__.__name__ == "UtcDateTime"
}
ID_COLUMNS = {
    ("backfill", "dag_id"), ("dag", "dag_id"), ("dag", "bundle_name"), ("dag_run", "dag_id"),
    ("dag_run", "run_id"), ("log", "dag_id"), ("log", "task_id"), ("log", "run_id"),
    ("task_instance", "task_id"), ("task_instance", "dag_id"), ("task_instance", "run_id"),
}  # fmt: skip


def sqlite_catalog(path: Path) -> dict[str, str]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL")
        return {name: " ".join(sql.split()) for name, sql in rows}


def test_sqlite_schema_is_airflows(tmp_path):
    reference = tmp_path / "airflow.sqlite"
    with sqlite3.connect(reference) as connection:
        connection.executescript((DDL_DIR / "schema_sqlite.sql").read_text())
    ours = tmp_path / "ours.sqlite"
    metadata.create_all(create_sync_engine(f"sqlite:///{ours}"))
    assert sqlite_catalog(ours) == sqlite_catalog(reference)


PG_CATALOG_QUERIES = {
    "columns": """
        SELECT table_name, ordinal_position, column_name, data_type, character_maximum_length,
               is_nullable, column_default
        FROM information_schema.columns WHERE table_schema = 'public'
        ORDER BY table_name, ordinal_position""",
    "constraints": """
        SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
        FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2""",
    "indexes": "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1, 2",
    "sequences": """
        SELECT sequence_name, data_type, start_value, increment
        FROM information_schema.sequences WHERE sequence_schema = 'public' ORDER BY 1""",
}


async def pg_catalog(url: str) -> dict[str, list]:
    connection = await asyncpg.connect(make_url(url).set(drivername="postgresql").render_as_string(False))
    try:
        return {
            name: [tuple(row) for row in await connection.fetch(query)]
            for name, query in PG_CATALOG_QUERIES.items()
        }
    finally:
        await connection.close()


async def test_postgresql_schema_is_airflows(tmp_path_factory):
    async with AsyncExitStack() as stack:
        reference = await _enter_database("postgresql", tmp_path_factory, stack)
        ours = await _enter_database("postgresql", tmp_path_factory, stack)
        connection = await asyncpg.connect(
            make_url(reference.url).set(drivername="postgresql").render_as_string(False)
        )
        try:
            await connection.execute((DDL_DIR / "schema_postgresql.sql").read_text())
        finally:
            await connection.close()
        engine = await create_airflow_schema(ours.url)
        await engine.dispose()
        expected, actual = await pg_catalog(reference.url), await pg_catalog(ours.url)
        assert {t for t, *_ in expected["columns"]} == set(TABLES)
        for part in PG_CATALOG_QUERIES:
            assert actual[part] == expected[part], part


async def test_mariadb_schema_follows_airflows_mysql_storage(tmp_path, tmp_path_factory):
    reference = tmp_path / "airflow.sqlite"
    with sqlite3.connect(reference) as connection:
        connection.executescript((DDL_DIR / "schema_sqlite.sql").read_text())
        expected_columns = {
            table: [(row[1], bool(row[3])) for row in connection.execute(f"PRAGMA table_info({table})")]
            for table in TABLES
        }
        expected_indexes = {
            row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
        }
    async with AsyncExitStack() as stack:
        database = await _enter_database("mysql", tmp_path_factory, stack)
        engine = await create_airflow_schema(database.url)
        try:
            async with engine.connect() as connection:
                columns = (await connection.execute(text(
                    "SELECT table_name, column_name, is_nullable, data_type, datetime_precision, "
                    "collation_name FROM information_schema.columns WHERE table_schema = DATABASE() "
                    "ORDER BY table_name, ordinal_position"
                ))).all()  # fmt: skip
                indexes = {row[0] for row in (await connection.execute(text(
                    "SELECT DISTINCT index_name FROM information_schema.statistics "
                    "WHERE table_schema = DATABASE()"
                ))).all()}  # fmt: skip
                foreign_keys = {row[0] for row in (await connection.execute(text(
                    "SELECT constraint_name FROM information_schema.referential_constraints "
                    "WHERE constraint_schema = DATABASE()"
                ))).all()}  # fmt: skip
        finally:
            await engine.dispose()
    actual_columns: dict[str, list] = {}
    for table, column, nullable, data_type, precision, collation in columns:
        actual_columns.setdefault(table, []).append((column, nullable == "NO"))
        if (table, column) in TIMESTAMP_COLUMNS:
            assert (data_type, precision) == ("timestamp", 6), (table, column)
        if (table, column) in ID_COLUMNS:
            assert collation in ("utf8mb3_bin", "utf8_bin"), (table, column, collation)
    # SQLite reports the primary key's implicit NOT NULL like any other column.
    assert actual_columns == expected_columns
    assert expected_indexes <= indexes
    assert foreign_keys == {
        "bdr_backfill_fkey", "bdr_dag_run_fkey", "dag_run_backfill_id_fkey", "task_instance_dag_run_fkey",
    }
