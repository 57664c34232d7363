"""An Airflow 2.11 database is detected as such (revision and columns) and served; an
Airflow 2 database without the columns the gateway reads is refused with the reason."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text

from backfill_gateway.db.airflow_schema import AirflowSchemaError, detect_airflow_schema
from backfill_gateway.db.engine import create_engine
from tests.api.test_airflow2_backfills import AIRFLOW2_BACKENDS
from tests.conftest import gateway_client
from tests.support.airflow2 import REVISION, airflow2_database


@pytest.mark.parametrize("backend", AIRFLOW2_BACKENDS)
async def test_airflow_2_11_is_detected_and_served(backend, tmp_path_factory):
    async with airflow2_database(backend, tmp_path_factory) as (database, engine):
        schema = await detect_airflow_schema(engine)
        assert (schema.version, schema.major, schema.revision) == ("2.11", 2, REVISION)
        assert schema.has("job", "latest_heartbeat") and schema.has("dag_run", "execution_date")
        # An unknown 2.x revision is decided by the columns: the newest 2.x line.
        async with engine.begin() as connection:
            await connection.execute(text("UPDATE alembic_version SET version_num = 'abcdef012345'"))
        assert (await detect_airflow_schema(engine)).version == "2.11"
        client = gateway_client(database.url)
        try:
            response = await client.graphql("{ airflow { version schemaRevision } backfills { totalCount } }")
            assert response.ok() == {
                "airflow": {"version": "2.11", "schemaRevision": "abcdef012345"},
                "backfills": {"totalCount": 0},
            }
        finally:
            await client.close()


async def test_an_airflow_2_without_the_columns_read_is_refused(tmp_path_factory):
    async with airflow2_database("sqlite", tmp_path_factory) as (database, engine):
        path = engine.url.database
        await engine.dispose()
        with sqlite3.connect(path) as connection:
            connection.execute("ALTER TABLE dag_run DROP COLUMN clear_number")  # as before 2.8
        older = create_engine(database.url)
        try:
            with pytest.raises(AirflowSchemaError, match=r"lacks dag_run\.clear_number.*older than Airflow 2\.11"):
                await detect_airflow_schema(older)
        finally:
            await older.dispose()
