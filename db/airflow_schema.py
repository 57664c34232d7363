"""Which Airflow wrote the database: detected once at start-up, from the database itself.

Airflow's schema changes between releases (see the README's "Supported Airflow versions"):
3.1 added `triggering_user_name`, 3.2 the partition columns and `dag_run.created_at`, and
some columns changed nullability. The gateway reads `alembic_version` and reflects the
columns of the tables it touches, once; every statement then selects only columns that
exist (`column_or_null`), so a column a version lacks reads as NULL under the same label
and the statement shapes, and counts per request, are the same on every version.

Known revisions name the release line. An unknown revision (a patch release, a newer
Airflow such as 3.4) is decided by the columns present: it reads as the newest known line
whose columns it has, with whatever extra columns it has ignored.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from sqlalchemy import ColumnElement, MetaData, inspect, null, text, type_coerce
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql import FromClause

from backfill_gateway.db import tables
from backfill_gateway.db.engine import connected

logger = logging.getLogger("gateway.airflow")

# `alembic_version.version_num` that `airflow db migrate` stamps, per release line.
KNOWN_REVISIONS: Mapping[str, str] = MappingProxyType({
    "fe199e1abd77": "3.0",  # 3.0.6
    "509b94a1042d": "3.1",  # 3.1.8
    "1d6611b6ab7c": "3.2",  # 3.2.2
    "d2f4e1b3c5a7": "3.3",  # 3.3.2
    "5f2621c13b39": "2.11",  # 2.11.2
})  # fmt: skip
REVISION_OF: Mapping[str, str] = MappingProxyType({v: r for r, v in KNOWN_REVISIONS.items()})

# Release lines this build serves: Airflow 3's backfill tables, and Airflow 2's BackfillJob
# rows (db/airflow2/), read with the columns of 2.11.
SUPPORTED_MAJORS = frozenset({2, 3})
OLDEST_SUPPORTED = "2.11"
# What the Airflow 2 mapping reads and writes: an older 2.x lacking any of it is refused.
AIRFLOW2_COLUMNS: Mapping[str, frozenset[str]] = MappingProxyType({
    "job": frozenset({"id", "state", "job_type", "start_date", "end_date", "latest_heartbeat",
                      "hostname", "unixname"}),
    "dag_run": frozenset({"id", "dag_id", "queued_at", "execution_date", "start_date", "end_date",
                          "state", "run_id", "creating_job_id", "run_type", "conf",
                          "data_interval_start", "data_interval_end", "updated_at",
                          "clear_number"}),
    "task_instance": frozenset({"dag_id", "run_id", "task_id", "state", "start_date", "end_date",
                                "job_id", "queued_dttm", "queued_by_job_id", "updated_at"}),
    "log": frozenset({"dttm", "dag_id", "event", "owner", "owner_display_name", "extra"}),
})  # fmt: skip

# The tables whose columns are reflected: Airflow 3's four backfill tables, the audit
# log, `task_instance` (task counts; on Airflow 2 also how a backfill took over a run) and
# Airflow 2's `job` (how a 2.x backfill is recorded).
REFLECTED_TABLES = (
    "alembic_version", "backfill", "backfill_dag_run", "dag_run", "dag", "log", "job",
    "task_instance",
)  # fmt: skip


class AirflowSchemaError(Exception):
    """The database is not an Airflow metadata database the gateway can serve."""


@dataclass(frozen=True)
class AirflowSchema:
    """The Airflow schema of the database: its release line, revision and columns.

    Hashable by (version, revision), so statement caches can be keyed by it.
    """

    version: str  # "3.1", "3.3", "2.11": the Airflow release line the schema matches
    revision: str | None = None  # alembic_version.version_num, e.g. "509b94a1042d"
    # table -> column names present (reflected once at start-up)
    columns: Mapping[str, frozenset[str]] = field(
        default_factory=lambda: MappingProxyType({}), hash=False
    )

    @property
    def major(self) -> int:
        return int(self.version.split(".", 1)[0])

    @property
    def version_tuple(self) -> tuple[int, int]:
        major, minor = self.version.split(".")[:2]
        return int(major), int(minor)

    def has(self, table: str, column: str) -> bool:
        return column in self.columns.get(table, ())

    def describe(self) -> str:
        """`Airflow 3.1 schema, alembic 509b94a1042d` (the start-up log line)."""
        return f"Airflow {self.version} schema, alembic {self.revision or '(none)'}"


def airflow_schema(
    version: str, revision: str | None, columns: Mapping[str, Iterable[str]]
) -> AirflowSchema:
    return AirflowSchema(
        version,
        revision,
        MappingProxyType({table: frozenset(names) for table, names in columns.items()}),
    )


def schema_of_metadata(metadata: MetaData, version: str, revision: str | None = None) -> AirflowSchema:
    """The AirflowSchema of tables defined in SQLAlchemy metadata (tests, tools)."""
    return airflow_schema(
        version,
        revision if revision is not None else REVISION_OF.get(version),
        {table.name: [column.name for column in table.columns] for table in metadata.sorted_tables},
    )


def column_or_null(table: FromClause, name: str, airflow: AirflowSchema) -> ColumnElement:
    """`table.c[name]`, or a NULL of the same type, labeled `name`, when this Airflow's
    table has no such column (a field recorded only by later versions).

    `table` may be an alias of one of Airflow's tables; the check uses the table itself.
    """
    column = table.c[name]
    base = getattr(table, "element", table)
    if airflow.has(base.name, name):
        return column
    return type_coerce(null(), column.type).label(name)


def columns_or_null(
    table: FromClause, airflow: AirflowSchema, names: Iterable[str] | None = None
) -> list[ColumnElement]:
    """Every column of `table` (or `names`), each one or a labeled NULL (`column_or_null`)."""
    names = [column.name for column in table.c] if names is None else names
    return [column_or_null(table, name, airflow) for name in names]


def decide_version(revision: str | None, columns: Mapping[str, frozenset[str]]) -> str | None:
    """The release line of a schema: by known revision, else by the columns present.

    None when the schema is older than anything the gateway knows (no `backfill` table and
    no Airflow 2 `job` table with `dag_run.creating_job_id`).
    """
    if revision in KNOWN_REVISIONS:
        return KNOWN_REVISIONS[revision]
    if "backfill" in columns and "backfill_dag_run" in columns:
        if "timetable_periodic" in columns.get("dag", ()):
            return "3.3"
        if "partition_key" in columns.get("dag_run", ()):
            return "3.2"
        if "triggering_user_name" in columns.get("backfill", ()):
            return "3.1"
        return "3.0"
    if "job" in columns and "creating_job_id" in columns.get("dag_run", ()):
        return "2.11"  # an Airflow 2 revision this build does not know: read as the newest 2.x
    return None


def _shown(engine: AsyncEngine) -> str:
    return make_url(engine.url).render_as_string(hide_password=True)


async def _reflect(engine: AsyncEngine) -> tuple[dict[str, frozenset[str]], list[str]]:
    def reflect(sync_connection) -> dict[str, frozenset[str]]:
        inspector = inspect(sync_connection)
        present = set(inspector.get_table_names()) & set(REFLECTED_TABLES)
        return {
            table: frozenset(column["name"] for column in inspector.get_columns(table))
            for table in sorted(present)
        }

    async with connected(engine) as connection:
        columns = await connection.run_sync(reflect)
        revisions: list[str] = []
        if "alembic_version" in columns:
            result = await connection.execute(text("SELECT version_num FROM alembic_version"))
            revisions = [row[0] for row in result]
    return columns, revisions


async def detect_airflow_schema(engine: AsyncEngine, override: str | None = None) -> AirflowSchema:
    """Reflect the database once and decide which Airflow's schema it has.

    `override` ("3.1", "2.11"; the GATEWAY_AIRFLOW_VERSION setting) replaces the decision
    by revision and columns; the columns are still reflected, so statements still select
    only what exists. Raises AirflowSchemaError, with what was found and what to do, for a
    database that is not Airflow's, or older than the oldest supported version.
    """
    columns, revisions = await _reflect(engine)
    where = _shown(engine)
    missing = [t for t in ("alembic_version", "dag", "dag_run") if t not in columns]
    if missing:
        raise AirflowSchemaError(
            f"The database at {where} is not an Airflow metadata database: it has no "
            f"{', '.join(missing)} table{'s' if len(missing) > 1 else ''}. Point DATABASE_URL "
            "(or AIRFLOW__DATABASE__SQL_ALCHEMY_CONN) at the database Airflow itself uses."
        )
    if len(revisions) != 1:
        raise AirflowSchemaError(
            f"The database at {where} has {len(revisions)} alembic_version rows "
            f"({', '.join(revisions) or 'none'}); an Airflow database has exactly one. "
            "Run `airflow db migrate` first."
        )
    revision = revisions[0]
    version = override if override is not None else decide_version(revision, columns)
    if version is None:
        raise AirflowSchemaError(
            f"The Airflow database at {where} (alembic revision {revision}) is older than "
            f"Airflow {OLDEST_SUPPORTED}, the oldest version this gateway supports: it has no "
            "backfill table (Airflow 3) and no Airflow 2 job table. Upgrade Airflow (`airflow "
            "db migrate`), or set "
            "GATEWAY_AIRFLOW_VERSION if detection is wrong."
        )
    schema = airflow_schema(version, revision, columns)
    ensure_supported(schema, where)
    if revision not in KNOWN_REVISIONS and override is None:
        logger.warning(
            "unknown alembic revision %s: reading the schema as Airflow %s with the columns "
            "present",
            revision,
            version,
        )
    return schema


def ensure_supported(schema: AirflowSchema, where: str = "the database") -> None:
    """Refuse a release line this build does not serve, or tables it needs but lacks."""
    if schema.major not in SUPPORTED_MAJORS:
        raise AirflowSchemaError(
            f"{schema.describe()} at {where}: this gateway supports Airflow "
            f"{OLDEST_SUPPORTED} and newer. Upgrade Airflow, or use a gateway build that "
            f"serves Airflow {schema.major}."
        )
    if schema.major == 2:
        lacking = sorted(
            f"{table}.{column}"
            for table, wanted in AIRFLOW2_COLUMNS.items()
            for column in wanted - schema.columns.get(table, frozenset())
        )
        if lacking:
            raise AirflowSchemaError(
                f"{schema.describe()} at {where}, but the database lacks {', '.join(lacking)}: "
                f"it is older than Airflow {OLDEST_SUPPORTED}, the oldest Airflow 2 this "
                "gateway reads. Upgrade Airflow (`airflow db migrate`)."
            )
    if schema.major == 3:
        lacking = [t for t in ("backfill", "backfill_dag_run") if t not in schema.columns]
        if lacking:
            raise AirflowSchemaError(
                f"{schema.describe()} at {where}, but the database has no "
                f"{' and no '.join(lacking)} table: it is older than Airflow 3.0, the oldest "
                "Airflow 3 this gateway supports."
            )


# Statements of a request made while the database could not be reached for detection: the
# newest known line with the columns of db/tables.py. Such a request's statements fail as
# the database is unreachable; a database that answers again is detected by the next one.
UNDETECTED = schema_of_metadata(tables.metadata, "3.3")


class DetectedAirflowSchema:
    """The app's Airflow schema: detected by the first caller (the start-up), then kept.

    Start-up detects before serving; a server that skips the ASGI lifespan (tests on an
    in-process transport), or that started while the database was unreachable, detects
    on its first request instead. `timeout` bounds one detection (a hung server).
    """

    def __init__(
        self, engine: AsyncEngine, override: str | None = None, timeout: float | None = None
    ) -> None:
        self._engine = engine
        self._override = override
        self._timeout = timeout
        self.current: AirflowSchema | None = None

    @classmethod
    def known(cls, schema: AirflowSchema) -> DetectedAirflowSchema:
        """A holder that needs no detection (tools and tests that know the schema)."""
        holder = cls(None)  # type: ignore[arg-type]
        holder.current = schema
        return holder

    async def get(self) -> AirflowSchema:
        if self.current is None:
            # Concurrent first requests may each detect once; the answers are the same.
            async with asyncio.timeout(self._timeout):
                self.current = await detect_airflow_schema(self._engine, self._override)
        return self.current

    async def detect_and_log(self) -> AirflowSchema:
        schema = await self.get()
        logger.info(schema.describe(), extra={"airflow_version": schema.version,
                                              "alembic_revision": schema.revision})
        return schema
