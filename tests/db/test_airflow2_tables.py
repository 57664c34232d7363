"""db/airflow2/tables.py matches Airflow 2.11's DDL (tests/airflow_ddl/2.11/): for every
table the gateway reads, the same columns in the same order with the same nullability."""

from __future__ import annotations

import sqlite3

from backfill_gateway.db.airflow2.tables import metadata
from tests.support.airflow2 import DDL_DIR, SQLITE_REFERENCED


def test_tables_match_airflow_2_11_ddl(tmp_path):
    path = tmp_path / "airflow2.sqlite"
    with sqlite3.connect(path) as connection:
        connection.executescript(SQLITE_REFERENCED + (DDL_DIR / "schema_sqlite.sql").read_text())
        for table in metadata.sorted_tables:
            ddl = [
                (name, not notnull)
                for _, name, _, notnull, _, _ in connection.execute(f"PRAGMA table_info({table.name})")
            ]
            ours = [(column.name, column.nullable) for column in table.columns]
            assert ours == ddl, table.name
