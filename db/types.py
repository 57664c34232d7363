"""Column types that reproduce Airflow's storage on each database."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, String, types
from sqlalchemy.dialects import mysql, postgresql

# Airflow stores ids (dag_id, run_id, task_id) with a binary collation on MySQL.
MYSQL_ID_COLLATION = "utf8mb3_bin"


class UtcDateTime(types.TypeDecorator):
    """Airflow's `UtcDateTime`: `timestamptz` on PostgreSQL, naive UTC on SQLite/MySQL.

    Values always come back timezone-aware in UTC, and aware values are stored
    as naive UTC where the database has no time zone.
    """

    impl = types.TIMESTAMP(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name in ("mysql", "mariadb"):
            return dialect.type_descriptor(mysql.TIMESTAMP(timezone=True, fsp=6))
        # The plain TIMESTAMP keeps Airflow's DDL ("TIMESTAMP" on SQLite, not DATETIME).
        return self.impl_instance

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UtcDateTime column")
        value = value.astimezone(UTC)
        if dialect.name != "postgresql":
            value = value.replace(tzinfo=None)
        return value

    def result_processor(self, dialect, coltype):
        if dialect.driver == "asyncpg":
            # asyncpg decodes timestamptz as datetimes in datetime.UTC already: no call per
            # value (a dag run has up to 11 timestamps, a backfill 5).
            return None
        return super().result_processor(dialect, coltype)

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        tzinfo = value.tzinfo
        if tzinfo is UTC:  # asyncpg's timestamptz: nothing to do
            return value
        if tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def string_id(length: int = 250) -> types.TypeEngine:
    """Airflow's `StringID`: VARCHAR with a binary collation on MySQL."""
    return String(length).with_variant(
        mysql.VARCHAR(length, collation=MYSQL_ID_COLLATION), "mysql", "mariadb"
    )


def jsonb() -> types.TypeEngine:
    """JSON, stored as JSONB on PostgreSQL (Airflow's `dag_run.conf`)."""
    return JSON().with_variant(postgresql.JSONB(), "postgresql")
