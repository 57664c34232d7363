"""Detection of the Airflow schema, from the database itself, on every version and database.

Databases are built from Airflow's own DDL (tests/support/airflow_versions.py); the
gateway's start-up (create_app's lifespan) detects, logs, serves `Query.airflow` and
`/readyz` with it, and refuses a database that is not Airflow's or is too old.
"""

from __future__ import annotations

import logging
import sqlite3

import httpx
import pytest
from sqlalchemy import text

from backfill_gateway.app import create_app
from backfill_gateway.db.airflow_schema import AirflowSchemaError, detect_airflow_schema
from backfill_gateway.db.engine import create_engine
from tests.conftest import FIXED_NOW, gateway_settings
from tests.support.airflow_versions import VERSIONS, airflow_schema_for

REVISIONS = {"3.0": "fe199e1abd77", "3.1": "509b94a1042d", "3.2": "1d6611b6ab7c", "3.3": "d2f4e1b3c5a7"}


@pytest.fixture(autouse=True)
def no_gc_tuning(monkeypatch):
    # The lifespan freezes the garbage collector for a server process; not for the test run.
    monkeypatch.setattr("backfill_gateway.app.tune_garbage_collector", lambda: None)


async def started(app):
    """Run the app's start-up (its lifespan) as a server would; returns the exit stack."""
    from contextlib import AsyncExitStack

    stack = AsyncExitStack()
    await stack.enter_async_context(app.router.lifespan_context(app))
    return stack


@pytest.mark.airflow_versions(*VERSIONS)
async def test_detection_reports_the_version_revision_and_columns(empty_database):
    engine = create_engine(empty_database.url)
    try:
        schema = await detect_airflow_schema(engine)
    finally:
        await engine.dispose()
    version = empty_database.version
    assert (schema.version, schema.revision) == (version, REVISIONS[version])
    expected = airflow_schema_for(version)
    assert {t: schema.columns[t] for t in expected.columns} == dict(expected.columns)
    assert schema.has("backfill", "triggering_user_name") == (version != "3.0")
    assert schema.has("dag_run", "partition_key") == (version in ("3.2", "3.3"))


@pytest.mark.airflow_versions(*VERSIONS)
async def test_start_up_logs_it_and_serves_it(empty_database, caplog):
    app = create_app(gateway_settings(empty_database.url), clock=lambda: FIXED_NOW)
    version, revision = empty_database.version, REVISIONS[empty_database.version]
    with caplog.at_level(logging.INFO, logger="gateway.airflow"):
        stack = await started(app)
    try:
        assert f"Airflow {version} schema, alembic {revision}" in caplog.messages
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://gateway.test"
        ) as http:
            response = await http.post(
                "/graphql", json={"query": "{ airflow { version schemaRevision } }"}
            )
            assert response.json()["data"] == {
                "airflow": {"version": version, "schemaRevision": revision}
            }
            ready = await http.get("/readyz")
            assert ready.status_code == 200
            assert ready.json() == {
                "status": "ready", "airflow": {"version": version, "schemaRevision": revision}
            }  # fmt: skip
    finally:
        await stack.aclose()


async def test_the_override_setting_forces_the_version(empty_database):
    app = create_app(gateway_settings(empty_database.url, airflow_version="3.1"))
    stack = await started(app)
    try:
        schema = app.state.airflow.current
        assert (schema.version, schema.revision) == ("3.1", REVISIONS["3.3"])
        # Still reflected: the columns that exist are read.
        assert schema.has("dag_run", "partition_key")
    finally:
        await stack.aclose()


@pytest.mark.airflow_versions("3.2")
async def test_an_unknown_revision_is_decided_by_the_columns(empty_database):
    engine = create_engine(empty_database.url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("UPDATE alembic_version SET version_num = 'aaaabbbbcccc'"))
        schema = await detect_airflow_schema(engine)
    finally:
        await engine.dispose()
    assert (schema.version, schema.revision) == ("3.2", "aaaabbbbcccc")


def _sqlite(path, script: str) -> str:
    with sqlite3.connect(path) as connection:
        connection.executescript(script)
    return f"sqlite+aiosqlite:///{path}"


# Airflow 1.10's shape: alembic-stamped, a dag and dag_run table, no backfill table, no
# BackfillJob bookkeeping (dag_run.creating_job_id came with 2.0).
AIRFLOW_1_10 = """
CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY);
INSERT INTO alembic_version VALUES ('e959f08ac86c');
CREATE TABLE dag (dag_id VARCHAR(250) PRIMARY KEY, is_paused BOOLEAN);
CREATE TABLE dag_run (id INTEGER PRIMARY KEY, dag_id VARCHAR(250), execution_date TIMESTAMP,
                      state VARCHAR(50), run_id VARCHAR(250));
CREATE TABLE job (id INTEGER PRIMARY KEY, job_type VARCHAR(30), state VARCHAR(20));
"""
NOT_AIRFLOW = "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);"


@pytest.mark.parametrize(
    ("script", "message"),
    [
        (NOT_AIRFLOW, "is not an Airflow metadata database: it has no alembic_version, dag, dag_run tables"),
        ("", "is not an Airflow metadata database"),
        (AIRFLOW_1_10, "(alembic revision e959f08ac86c) is older than Airflow 2.11, the oldest version this gateway supports"),
    ],
    ids=["other-tables", "empty", "airflow-1.10"],
)  # fmt: skip
async def test_start_up_refuses_a_database_it_cannot_serve(tmp_path, caplog, script, message):
    url = _sqlite(tmp_path / "db.sqlite", script)
    app = create_app(gateway_settings(url))
    with caplog.at_level(logging.ERROR, logger="gateway.app"), pytest.raises(AirflowSchemaError) as refused:
        await started(app)
    assert message in str(refused.value)
    assert any("refusing to start" in m and message in m for m in caplog.messages)


async def test_an_embedded_demo_written_before_detection_is_rebuilt(tmp_path, monkeypatch):
    """Demo files from before alembic_version was stamped would be refused: rebuilt instead."""
    from backfill_gateway.demo import create_demo_database
    from backfill_gateway.settings import Settings

    for variable in ("DATABASE_URL", "GATEWAY_DATABASE_URL", "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"):
        monkeypatch.delenv(variable, raising=False)
    path = tmp_path / "demo.sqlite"
    await create_demo_database(path, FIXED_NOW)
    with sqlite3.connect(path) as connection:
        connection.execute("DROP TABLE alembic_version")
    app = create_app(Settings(demo_database_path=path, tokens="", tokens_file=None))
    stack = await started(app)
    try:
        assert app.state.airflow.current.version == "3.3"
    finally:
        await stack.aclose()
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [
            ("d2f4e1b3c5a7",)
        ]


async def test_a_database_unreachable_at_start_up_does_not_stop_the_gateway():
    """Detection waits for the database instead: readiness says 503 meanwhile."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = create_app(
        gateway_settings(f"postgresql://gateway@127.0.0.1:{port}/airflow", db_connect_timeout_seconds=1)
    )
    stack = await started(app)
    try:
        assert app.state.airflow.current is None
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://gateway.test"
        ) as http:
            assert (await http.get("/readyz")).status_code == 503
    finally:
        await stack.aclose()
