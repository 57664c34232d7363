"""Airflow 3.0 to 3.3 schemas for tests: built from Airflow's own DDL, filled as Airflow would.

SQLite and PostgreSQL get the DDL that `airflow db migrate` of each release wrote
(tests/airflow_ddl/<version>/, 3.3 in tests/airflow_ddl/ itself). MariaDB has no dump: it
gets the MySQL flavour of the same columns, SQLAlchemy metadata derived from db/tables.py
(3.3) minus the columns a version lacks and with its nullability (`version_metadata`;
tests/db/test_airflow_versions.py checks it against the DDL column for column).

Rows are written the way that Airflow would: only columns that exist, and no partitioned
DAG before 3.2 (partitioned timetables came with 3.2; 3.0/3.1 cannot store one).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    ForeignKeyConstraint,
    Index,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    TypeDecorator,
    UniqueConstraint,
    Uuid,
    insert,
    null,
    text,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from backfill_gateway.db import tables
from backfill_gateway.db.airflow_schema import (
    REVISION_OF,
    AirflowSchema,
    detect_airflow_schema,
    schema_of_metadata,
)
from backfill_gateway.db.engine import create_engine
from backfill_gateway.demo import DemoDataset

VERSIONS = ("3.0", "3.1", "3.2", "3.3")
LATEST = "3.3"
DDL_DIR = Path(__file__).resolve().parents[1] / "airflow_ddl"

# Columns of db/tables.py (3.3) that each version does not have (versions/README.md).
_ABSENT_3_2 = {
    "dag": {"timetable_periodic", "partition_mapper_info"},
    "task_instance": {"retry_delay_override", "retry_reason"},
}
_ABSENT_3_1 = {
    "dag": _ABSENT_3_2["dag"] | {
        "exceeds_max_non_backfill", "timetable_type", "timetable_partitioned", "fail_fast",
        "allowed_run_types", "next_dagrun_partition_key", "next_dagrun_partition_date",
    },
    "backfill_dag_run": {"partition_key"},
    "dag_run": {"created_at", "partition_key", "partition_date"},
    "task_instance": _ABSENT_3_2["task_instance"],
}  # fmt: skip
_ABSENT_3_0 = {
    **_ABSENT_3_1,
    "dag": _ABSENT_3_1["dag"] | {"deadline", "last_parse_duration"},
    "backfill": {"triggering_user_name"},
    "dag_run": _ABSENT_3_1["dag_run"] | {"triggering_user_name"},
}
ABSENT: dict[str, dict[str, set[str]]] = {
    "3.0": _ABSENT_3_0, "3.1": _ABSENT_3_1, "3.2": _ABSENT_3_2, "3.3": {},
}  # fmt: skip
# (table, column) -> nullable, where a version differs from 3.3.
_NULLABILITY_3_1 = {
    ("dag", "is_paused"): True, ("dag", "is_stale"): True, ("log", "event"): True,
    ("backfill_dag_run", "logical_date"): False,
    ("task_instance", "try_number"): True, ("task_instance", "max_tries"): True,
}  # fmt: skip
NULLABILITY: dict[str, dict[tuple[str, str], bool]] = {
    "3.0": {**_NULLABILITY_3_1, ("dag", "bundle_name"): True},
    "3.1": _NULLABILITY_3_1,
    "3.2": {},
    "3.3": {},
}
class _DashedUuid(TypeDecorator):
    """Before 3.2, Airflow stored task_instance ids as 36-character text (sqlalchemy_utils'
    UUIDType) outside PostgreSQL; 3.2.0's migration 0104 made them CHAR(32)."""

    impl = String(36)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else str(value)


# (table, column) -> Column keyword arguments where a version's column differs from 3.3
# (3.2.0's migrations 0102 and 0104: TEXT and CHAR(32) uuids; 3.1's SQLite default `(-1)`).
_CHANGED_3_1 = {
    ("task_instance", "id"): {"type_": _DashedUuid().with_variant(Uuid(), "postgresql")},
    ("task_instance", "external_executor_id"): {"type_": String(250)},
    ("task_instance", "map_index"): {"server_default": text("(-1)")},
    ("task_instance", "max_tries"): {"server_default": text("(-1)")},
}  # fmt: skip
CHANGED: dict[str, dict[tuple[str, str], dict[str, Any]]] = {
    "3.0": _CHANGED_3_1, "3.1": _CHANGED_3_1, "3.2": {}, "3.3": {},
}
_ABSENT_INDEXES_3_2 = {"idx_dag_run_created_dag_version_id", "ti_dag_version_id"}
ABSENT_INDEXES = {"3.0": _ABSENT_INDEXES_3_2, "3.1": _ABSENT_INDEXES_3_2, "3.2": _ABSENT_INDEXES_3_2,
                  "3.3": set()}  # fmt: skip
# Foreign keys of the dumps that point at tables outside them (dag_version, dag_bundle,
# log_template): left out, as in the 3.3 dump, so that the DDL loads on its own.
_OUTSIDE = r"(?:dag_version|dag_bundle|log_template)"


def version_tuple(version: str) -> tuple[int, int]:
    major, minor = version.split(".")
    return int(major), int(minor)


def at_least(version: str, oldest: str) -> bool:
    return version_tuple(version) >= version_tuple(oldest)


def ddl_path(version: str, backend: str) -> Path:
    if version == LATEST:
        return DDL_DIR / ("schema_sqlite.sql" if backend == "sqlite" else "schema_postgresql.sql")
    return DDL_DIR / version / ("schema_sqlite.sql" if backend == "sqlite" else "schema_pg.sql")


def ddl(version: str, backend: str) -> str:
    """The version's DDL for `backend` (sqlite, postgresql), loadable on its own."""
    script = ddl_path(version, backend).read_text()
    if backend == "sqlite":
        script = re.sub(rf"\n\s*CONSTRAINT \w+ FOREIGN KEY\([^)]*\) REFERENCES {_OUTSIDE} [^\n]*", "", script)
        return re.sub(r",\s*\n\)", "\n)", script)
    script = "\n".join(line for line in script.splitlines() if not line.startswith("\\"))
    return re.sub(
        rf"ALTER TABLE ONLY public\.\w+\s+ADD CONSTRAINT \w+ FOREIGN KEY [^;]*"
        rf"REFERENCES public\.{_OUTSIDE}\([^;]*;",
        "",
        script,
    )


@cache
def version_metadata(version: str) -> MetaData:
    """db/tables.py's tables as `version` has them (the MySQL/MariaDB flavour of its DDL)."""
    absent, nullability, changed = ABSENT[version], NULLABILITY[version], CHANGED[version]
    absent_indexes = ABSENT_INDEXES[version]
    metadata = MetaData()
    for table in tables.metadata.sorted_tables:
        gone = absent.get(table.name, set())
        items: list[Any] = []
        for column in table.columns:
            if column.name in gone:
                continue
            copied = column._copy()
            copied.nullable = nullability.get((table.name, column.name), column.nullable)
            change = changed.get((table.name, column.name))
            if change is not None:
                copied = Column(
                    copied.name, change.get("type_", copied.type), nullable=copied.nullable,
                    server_default=change.get("server_default", copied.server_default),
                )
            items.append(copied)
        for constraint in table.constraints:
            names = [column.name for column in constraint.columns]
            if isinstance(constraint, PrimaryKeyConstraint):
                items.append(PrimaryKeyConstraint(*names, name=constraint.name))
            elif isinstance(constraint, UniqueConstraint):
                items.append(UniqueConstraint(*names, name=constraint.name))
            elif isinstance(constraint, ForeignKeyConstraint):
                items.append(ForeignKeyConstraint(
                    names, [element.target_fullname for element in constraint.elements],
                    name=constraint.name, ondelete=constraint.ondelete,
                ))  # fmt: skip
        for index in table.indexes:
            if index.name not in absent_indexes:
                items.append(Index(index.name, *(c.name for c in index.columns), **index.dialect_kwargs))
        Table(table.name, metadata, *items)
    return metadata


def airflow_schema_for(version: str) -> AirflowSchema:
    """What detection should find on a database of `version` built here."""
    return schema_of_metadata(version_metadata(version), version)


async def _run_script(engine: AsyncEngine, script: str) -> None:
    async with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            raw = await connection.get_raw_connection()
            await raw.driver_connection.execute(script)  # asyncpg runs a whole script
            # pg_dump's preamble empties the search path; the pooled connection lives on.
            await raw.driver_connection.execute("RESET search_path")
            return
        for statement in script.split(";\n"):
            if statement.strip() and not all(
                line.strip().startswith("--") or not line.strip() for line in statement.splitlines()
            ):
                await connection.exec_driver_sql(statement)


async def create_versioned_schema(url: str, version: str) -> AsyncEngine:
    """Airflow `version`'s tables in an empty database, stamped with its alembic revision
    (as `airflow db migrate` leaves them); returns a gateway-configured engine."""
    engine = create_engine(url, pool_size=2, max_overflow=2)
    backend = engine.dialect.name
    if backend == "sqlite":
        async with engine.connect() as connection:
            connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.exec_driver_sql("PRAGMA journal_mode=WAL")
    if backend in ("sqlite", "postgresql"):
        await _run_script(engine, ddl(version, backend))
    else:
        async with engine.begin() as connection:
            await connection.run_sync(version_metadata(version).create_all)
    async with engine.begin() as connection:
        await connection.execute(
            text("INSERT INTO alembic_version (version_num) VALUES (:revision)"),
            {"revision": REVISION_OF[version]},
        )
    return engine


# ------------------------------------------------------------------ rows, as Airflow writes them

_DATASET_TABLES = (("dags", "dag"), ("backfills", "backfill"), ("dag_runs", "dag_run"),
                   ("backfill_dag_runs", "backfill_dag_run"), ("task_instances", "task_instance"))  # fmt: skip


def dataset_for(version: str, dataset: DemoDataset) -> DemoDataset:
    """The demo dataset as Airflow `version` would have written it.

    Columns the version lacks read as None (what the gateway answers for them); before 3.2
    the partitioned DAG, its runs, backfills and slots do not exist.
    """
    if version == LATEST:
        return dataset
    absent = ABSENT[version]
    dags, backfills, runs, slots, tasks = (
        dataset.dags, dataset.backfills, dataset.dag_runs, dataset.backfill_dag_runs,
        dataset.task_instances,
    )
    if not at_least(version, "3.2"):
        partitioned = {row["dag_id"] for row in dags if row.get("timetable_partitioned")}
        gone = {row["id"] for row in backfills if row["dag_id"] in partitioned}
        dags = [row for row in dags if row["dag_id"] not in partitioned]
        backfills = [row for row in backfills if row["id"] not in gone]
        runs = [row for row in runs if row["dag_id"] not in partitioned]
        slots = [row for row in slots if row["backfill_id"] not in gone]
        tasks = [row for row in tasks if row["dag_id"] not in partitioned]
        cases = {name: [i for i in ids if i not in gone] for name, ids in dataset.cases.items()}
    else:
        cases = dict(dataset.cases)

    def strip(table: str, rows: list[dict]) -> list[dict]:
        missing = absent.get(table, set())
        return [{k: (None if k in missing else copy.copy(v)) for k, v in row.items()} for row in rows]

    return replace(
        dataset,
        dags=strip("dag", dags),
        backfills=strip("backfill", backfills),
        dag_runs=strip("dag_run", runs),
        backfill_dag_runs=strip("backfill_dag_run", slots),
        task_instances=strip("task_instance", tasks),
        cases={name: ids for name, ids in cases.items() if ids},
    )


def _bindable(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    """Only the columns `table` has; None in a JSON column is SQL NULL (not JSON null)."""
    json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)}
    return {
        k: null() if v is None and k in json_columns else v
        for k, v in row.items()
        if k in table.c
    }


async def load_versioned_dataset(engine: AsyncEngine, dataset: DemoDataset, version: str) -> None:
    """Insert `dataset` (from `dataset_for`) into `version`'s empty tables, in one transaction."""
    metadata = version_metadata(version)
    async with engine.begin() as connection:
        for attribute, name in _DATASET_TABLES:
            table = metadata.tables[name]
            rows = getattr(dataset, attribute)
            if rows:
                await connection.execute(insert(table), [_bindable(table, row) for row in rows])
        if connection.dialect.name == "postgresql":
            # Explicit ids leave the serial sequences behind; later inserts would collide.
            for name in ("backfill", "dag_run", "backfill_dag_run"):
                await connection.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"coalesce(max(id), 1), max(id) IS NOT NULL) FROM {name}"
                ))  # fmt: skip


def version_table(version: str, name: str) -> Table:
    """One of `version`'s tables, for tests that write rows themselves."""
    return version_metadata(version).tables[name]


async def tables_of(engine: AsyncEngine) -> MetaData:
    """The tables of the Airflow version the database has, as the gateway detects it."""
    return version_metadata((await detect_airflow_schema(engine)).version)


def only_columns(table: Table, rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows with only the columns `table` has (what that Airflow version writes)."""
    return [{k: v for k, v in row.items() if k in table.c} for row in rows]

