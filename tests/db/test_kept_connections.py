"""A read session's connection kept checked out for the next one (db.kept_connections)."""

from __future__ import annotations

import asyncio

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import event, func, select, text

from backfill_gateway.db import engine as engine_module
from backfill_gateway.db.engine import checkout, connected, ping
from backfill_gateway.db.kept_connections import keep, kept_count, take_all
from backfill_gateway.db.session import ReadSession
from backfill_gateway.web.metrics import observe_pool
from tests.support.airflow_versions import LATEST

ON_POSTGRESQL = pytest.mark.parametrize(
    "empty_database", [("postgresql", LATEST)], indirect=True, ids=["postgresql"]
)
# SQLAlchemy's own checkout path on MySQL/MariaDB and SQLite: nothing is kept there.
ELSEWHERE = pytest.mark.parametrize(
    "empty_database", [("sqlite", LATEST), ("mysql", LATEST)], indirect=True,
    ids=["sqlite", "mysql"],
)


def pool_checkouts(engine) -> list[object]:
    """The DBAPI connections SQLAlchemy's pool hands out from now on."""
    handed_out: list[object] = []
    event.listen(
        engine.sync_engine.pool, "checkout", lambda dbapi, record, proxy: handed_out.append(dbapi)
    )
    return handed_out


async def backend_pid(session: ReadSession) -> int:
    [(pid,)] = await session.all(select(func.pg_backend_pid()))
    return pid


async def read_pid(engine) -> int:
    session = ReadSession([engine])
    try:
        return await backend_pid(session)
    finally:
        await session.close()


@ON_POSTGRESQL
async def test_the_next_read_session_takes_the_kept_connection_without_the_pool(
    empty_database, make_engine
):
    engine = make_engine(empty_database.url)
    first = await read_pid(engine)
    pool = engine.sync_engine.pool
    assert kept_count(engine.sync_engine) == 1
    assert (pool.checkedout(), pool.checkedin()) == (1, 0)
    handed_out = pool_checkouts(engine)
    assert [await read_pid(engine) for _ in range(3)] == [first] * 3
    assert handed_out == []  # no checkout and no checkin of SQLAlchemy's


@ON_POSTGRESQL
async def test_a_connection_kept_longer_than_the_no_ping_window_goes_back_and_is_pinged(
    empty_database, make_engine, monkeypatch
):
    engine = make_engine(empty_database.url)
    pings = []
    real_ping = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda c: pings.append(c) or real_ping(c))
    first = await read_pid(engine)
    monkeypatch.setattr(engine_module, "RECENTLY_USED_SECONDS", 0.05)
    await asyncio.sleep(0.1)
    handed_out = pool_checkouts(engine)
    assert await read_pid(engine) == first
    assert len(handed_out) == 1 and len(pings) == 1  # through the pool, with its ping


@ON_POSTGRESQL
async def test_a_connection_in_a_transaction_or_broken_is_not_kept(empty_database, make_engine):
    engine = make_engine(empty_database.url)
    session = ReadSession([engine])
    await backend_pid(session)
    session._direct._adapter.isolation_level = "read_committed"  # no longer autocommit
    await session.close()
    assert kept_count(engine.sync_engine) == 0
    session = ReadSession([engine])
    await backend_pid(session)
    session._invalid = True  # a direct read lost its connection
    await session.close()
    assert kept_count(engine.sync_engine) == 0
    assert engine.sync_engine.pool.checkedout() == 0


@ON_POSTGRESQL
async def test_nothing_is_kept_beyond_the_pool_size_nor_when_the_pool_is_full(
    empty_database, make_engine
):
    # Overflow connections are closed as the pool closes them, not kept.
    engine = make_engine(empty_database.url, pool_size=1, max_overflow=1)
    sessions = [ReadSession([engine]), ReadSession([engine])]
    for session in sessions:
        await backend_pid(session)
    await sessions[0].close()  # the pool is at its limit: back to it for the next caller
    assert kept_count(engine.sync_engine) == 0 and engine.sync_engine.pool.checkedin() == 1
    await sessions[1].close()  # beyond the pool's size: closed
    assert kept_count(engine.sync_engine) == 0 and engine.sync_engine.pool.checkedin() == 1
    # One connection, one caller: never kept, or nobody else could have it.
    single = make_engine(empty_database.url, pool_size=1, max_overflow=0)
    await read_pid(single)
    assert kept_count(single.sync_engine) == 0 and single.sync_engine.pool.checkedin() == 1


@ON_POSTGRESQL
async def test_a_caller_waiting_for_the_pool_gets_the_connection_rather_than_the_next_reader(
    empty_database, make_engine
):
    engine = make_engine(empty_database.url, pool_size=2, max_overflow=0, pool_timeout=5)
    holder = await checkout(engine)  # a writer holds one connection
    reader = ReadSession([engine])
    pid = await backend_pid(reader)  # the reader holds the other: the pool is empty
    waiter = asyncio.create_task(checkout(engine))
    await asyncio.sleep(0.05)
    assert engine_module.waiting_for_connection(engine) == 1
    await reader.close()  # someone waits: back to the pool
    connection = await asyncio.wait_for(waiter, 2)
    try:
        assert (await connection.execute(select(func.pg_backend_pid()))).scalar_one() == pid
        assert kept_count(engine.sync_engine) == 0
    finally:
        await connection.close()
        await holder.close()


@ON_POSTGRESQL
async def test_every_other_caller_of_the_pool_finds_the_kept_connections_there(
    empty_database, make_engine
):
    engine = make_engine(empty_database.url, pool_size=2, max_overflow=0)
    sessions = [ReadSession([engine]), ReadSession([engine])]
    pids = {await backend_pid(session) for session in sessions}
    await sessions[0].close()  # the pool is at its limit: back to it
    assert kept_count(engine.sync_engine) == 0
    await sessions[1].close()
    assert kept_count(engine.sync_engine) == 1
    connections = [await checkout(engine), await checkout(engine)]  # e.g. two writers
    try:
        assert kept_count(engine.sync_engine) == 0
        found = {(await c.execute(select(func.pg_backend_pid()))).scalar_one() for c in connections}
        assert found == pids  # no third connection opened: none was out of reach
    finally:
        for connection in connections:
            await connection.close()
    await read_pid(engine)
    await ping(engine)  # the readiness probe, too
    assert kept_count(engine.sync_engine) == 0
    async with connected(engine):
        assert engine.sync_engine.pool.checkedout() == 1


@ON_POSTGRESQL
async def test_a_read_session_retrying_a_lost_connection_does_not_take_a_kept_one(
    empty_database, make_engine
):
    """After a lost connection the retry goes through the pool, which pings what it hands
    out: the kept connections may have died with the lost one."""
    engine = make_engine(empty_database.url, pool_size=3)
    sessions = [ReadSession([engine]) for _ in range(2)]
    pids = [await backend_pid(session) for session in sessions]
    for session in sessions:
        await session.close()
    assert kept_count(engine.sync_engine) == 2
    admin = make_engine(empty_database.url)
    async with admin.connect() as connection:
        for pid in pids:
            await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    await asyncio.sleep(0.2)
    session = ReadSession([engine])
    try:
        pid = await backend_pid(session)  # the first kept one fails; the retry pings
    finally:
        await session.close()
    assert pid not in pids


@ON_POSTGRESQL
async def test_disposing_the_engine_closes_the_kept_connections(empty_database, make_engine):
    engine = make_engine(empty_database.url)
    pid = await read_pid(engine)
    await engine.dispose()
    assert kept_count(engine.sync_engine) == 0
    async with make_engine(empty_database.url).connect() as connection:
        alive = (await connection.execute(
            text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
        )).scalar_one()  # fmt: skip
    assert alive == 0


@ON_POSTGRESQL
async def test_the_pool_metrics_count_kept_connections_as_idle(empty_database, make_engine):
    engine = make_engine(empty_database.url)
    await read_pid(engine)
    assert engine.sync_engine.pool.checkedout() == 1
    observe_pool(engine)
    assert REGISTRY.get_sample_value("gateway_db_pool_checked_out") == 0
    assert REGISTRY.get_sample_value("gateway_db_pool_idle") == 1


@ELSEWHERE
async def test_other_databases_return_the_connection_to_the_pool(empty_database, make_engine):
    engine = make_engine(empty_database.url)
    session = ReadSession([engine])
    await session.all(text("SELECT 1"))
    await session.close()
    assert kept_count(engine.sync_engine) == 0
    assert engine.sync_engine.pool.checkedout() == 0


@ON_POSTGRESQL
async def test_a_kept_connection_that_cannot_go_back_is_dropped_and_the_caller_served(
    empty_database, make_engine, monkeypatch
):
    from sqlalchemy.pool.base import _ConnectionFairy

    engine = make_engine(empty_database.url)
    await read_pid(engine)
    [(kept, _)] = take_all(engine.sync_engine)
    keep(engine.sync_engine, kept)  # back where it was
    real_close = _ConnectionFairy.close

    def failing_close(fairy):
        if fairy is kept:
            raise RuntimeError("the connection broke on its way back")
        return real_close(fairy)

    monkeypatch.setattr(_ConnectionFairy, "close", failing_close)
    connection = await checkout(engine)  # gives the kept one back first
    try:
        assert (await connection.execute(text("SELECT 1"))).scalar_one() == 1
    finally:
        await connection.close()
    assert kept_count(engine.sync_engine) == 0
    assert not kept.is_valid  # dropped
    assert engine.sync_engine.pool.checkedout() == 0
