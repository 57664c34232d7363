"""Session set-up of the gateway's engines (db.engine.create_engine)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from backfill_gateway.db import engine as engine_module
from backfill_gateway.db.engine import create_engine
from backfill_gateway.db.session import ReadSession
from backfill_gateway.db.statements import recording_statements
from tests.support.airflow_versions import LATEST


@pytest.mark.parametrize("demo_database", ["postgresql"], indirect=True)
@pytest.mark.parametrize("statement_timeout", [0, 2.5])
async def test_postgresql_sessions_run_without_jit(demo_database, statement_timeout):
    """The status probes are costed per row: with JIT on, ~10 ms statements on large data
    crossed jit_above_cost and spent most of a second compiling."""
    engine = create_engine(demo_database.url, statement_timeout=statement_timeout)
    try:
        async with engine.connect() as connection:
            jit = (await connection.execute(text("SHOW jit"))).scalar_one()
            timeout = (await connection.execute(text("SHOW statement_timeout"))).scalar_one()
    finally:
        await engine.dispose()
    assert jit == "off"
    assert timeout == ("2500ms" if statement_timeout else "0")


@pytest.mark.parametrize("demo_database", ["postgresql"], indirect=True)
async def test_postgresql_plans_each_prepared_statement_once(demo_database):
    """A slot page statement run again is not planned again: with PostgreSQL's default
    (`plan_cache_mode = auto`) it got a custom plan, i.e. was re-planned, on every one of
    1,020 executions, ~0.3 ms each on the benchmark's data."""
    from backfill_gateway.db.keyset import Seek
    from backfill_gateway.db.slots import SlotFilter, slot_pages
    from tests.support.airflow_versions import airflow_schema_for

    engine = create_engine(demo_database.url)
    session = ReadSession((engine,))
    try:
        ids = sorted({row["backfill_id"] for row in demo_database.dataset.backfill_dag_runs})
        for backfill_id in ids[:12]:  # the same statement, other values
            page = slot_pages(
                [backfill_id], SlotFilter(), Seek(limit=3, after=(1, 1)), None, "postgresql",
                airflow=airflow_schema_for(LATEST),
            )  # fmt: skip
            await session.all(page.statement, page.parameters)
        (plans,) = await session.all(text(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements "
            "WHERE statement LIKE '%JOIN LATERAL%' AND statement NOT LIKE '%pg_prepared%'"
        ))  # fmt: skip
    finally:
        await session.close()
        await engine.dispose()
    assert (plans.generic_plans, plans.custom_plans) == (12, 0)


# --- the pool's ping on checkout (every caller) and its one exception (ReadSession) ---

BACKENDS = pytest.mark.parametrize(
    "empty_database", [("sqlite", LATEST), ("postgresql", LATEST), ("mysql", LATEST)],
    indirect=True, ids=["sqlite", "postgresql", "mysql"],
)


@pytest.fixture
async def counted_pings(empty_database, monkeypatch):
    """An autocommit engine as the gateway reads with, and the pings its pool sends."""
    engine = create_engine(empty_database.url, autocommit=True, connect_timeout=2)
    pings: list[object] = []
    real_ping = engine.dialect.do_ping

    def counting_ping(dbapi_connection):
        pings.append(dbapi_connection)
        return real_ping(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counting_ping)
    yield engine, pings
    await engine.dispose()


async def read_once(engine) -> None:
    session = ReadSession([engine])
    try:
        assert (await session.all(text("SELECT 1")))[0][0] == 1
    finally:
        await session.close()


@BACKENDS
async def test_a_read_session_reuses_a_connection_used_moments_ago_without_a_ping(counted_pings):
    engine, pings = counted_pings
    await read_once(engine)  # opens the connection: no ping
    with recording_statements() as log:
        for _ in range(3):
            await read_once(engine)
    assert pings == []
    assert (log.count, log.read_retries) == (3, 0)
    # Everyone else still gets SQLAlchemy's pre-ping of a pooled connection.
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
    assert len(pings) == 1


@BACKENDS
async def test_a_read_session_pings_a_connection_idle_for_longer(counted_pings, monkeypatch):
    engine, pings = counted_pings
    await read_once(engine)
    monkeypatch.setattr(engine_module, "RECENTLY_USED_SECONDS", 0.05)
    await asyncio.sleep(0.1)
    await read_once(engine)
    assert len(pings) == 1


NETWORKED = pytest.mark.parametrize(
    "empty_database", [("postgresql", LATEST), ("mysql", LATEST)], indirect=True,
    ids=["postgresql", "mysql"],
)


def backend_id(dialect: str):
    return text("SELECT pg_backend_pid()" if dialect == "postgresql" else "SELECT CONNECTION_ID()")


async def kill_all(admin, ids) -> None:
    async with admin.connect() as connection:
        for connection_id in ids:
            if admin.dialect.name == "postgresql":
                await connection.execute(
                    text("SELECT pg_terminate_backend(:id)"), {"id": connection_id}
                )
            else:
                await connection.execute(text(f"KILL CONNECTION {int(connection_id)}"))
    await asyncio.sleep(0.2)


async def pooled_ids(engine, n: int) -> list[int]:
    """Open n connections at once and return them to the pool; their server ids."""
    dialect = engine.dialect.name
    connections = [await engine.connect() for _ in range(n)]
    ids = [(await c.execute(backend_id(dialect))).scalar_one() for c in connections]
    for connection in connections:
        await connection.close()
    return ids


@NETWORKED
async def test_a_dead_pooled_connection_is_replaced_by_the_ping(counted_pings, empty_database):
    """Writers (finalize) and probes get a pinged connection: a connection the server
    killed since its last use never reaches them, however recent that use."""
    engine, pings = counted_pings
    admin = create_engine(empty_database.url, autocommit=True)
    try:
        [killed] = await pooled_ids(engine, 1)
        await kill_all(admin, [killed])
        async with engine.connect() as connection:
            now = (await connection.execute(backend_id(engine.dialect.name))).scalar_one()
    finally:
        await admin.dispose()
    assert now != killed
    assert len(pings) == 1


@NETWORKED
async def test_a_read_session_survives_every_pooled_connection_killed(
    counted_pings, empty_database
):
    """The connections are recent, so the first statement finds its connection dead; the
    retry pings whatever it is handed, so the other dead ones are not tried."""
    engine, pings = counted_pings
    admin = create_engine(empty_database.url, autocommit=True)
    try:
        killed = await pooled_ids(engine, 3)
        await kill_all(admin, killed)
        session = ReadSession([engine])
        with recording_statements() as log:
            [(now,)] = await session.all(backend_id(engine.dialect.name))
        await session.close()
    finally:
        await admin.dispose()
    assert now not in killed
    assert log.read_retries == 1


@pytest.mark.parametrize("demo_database", ["postgresql"], indirect=True)
async def test_postgresql_json_values_are_decoded_without_a_python_call(demo_database):
    """`json` columns go to orjson as bytes (no Python function per value), and decode to
    the same values through SQLAlchemy's path and the direct reads."""
    import sys

    values = ['{"a": [1, 2.5, null, true], "é": "ü"}', "[]", '"text"', "3", "null", "{}"]
    select_json = text(
        "SELECT CAST(v AS json) AS j FROM unnest(CAST(:values AS text[])) WITH ORDINALITY "
        "AS t(v, n) ORDER BY n"
    ).bindparams(values=values)
    engine = create_engine(demo_database.url)
    session = ReadSession((engine,))
    python_calls: list[str] = []

    def record(frame, event, arg) -> None:
        if event == "call":
            python_calls.append(frame.f_code.co_name)

    try:
        async with engine.connect() as connection:
            through_sqlalchemy = [
                row.j for row in await connection.execute(select_json)
            ]  # a connection made (and set up) before the calls are watched
            sys.setprofile(record)
            try:
                await connection.execute(select_json)
            finally:
                sys.setprofile(None)
        direct = [row.j for row in await session.all(select_json)]
    finally:
        await session.close()
        await engine.dispose()
    expected = [{"a": [1, 2.5, None, True], "é": "ü"}, [], "text", 3, None, {}]
    assert through_sqlalchemy == direct == expected
    assert "_json_decoder" not in python_calls
