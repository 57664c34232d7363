"""Reads sent straight to asyncpg (`db.asyncpg_reads`) give what SQLAlchemy's execute
path gives: the same SQL text, the same rows and values, the same errors, the same
retries and invalidations. PostgreSQL only (the direct path is asyncpg's)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Integer, Numeric, cast, event, exc, func, literal, make_url, select, text

from backfill_gateway.db.asyncpg_reads import compiled_read, engine_reads_directly
from backfill_gateway.db.backfills import (
    BackfillFilter,
    backfill_page,
    backfills_by_id,
    count_backfills,
)
from backfill_gateway.db.dag_scope import DagScope
from backfill_gateway.db.errors import DatabaseUnavailable
from backfill_gateway.db.keyset import Seek
from backfill_gateway.db.session import ReadSession
from backfill_gateway.db.slots import SlotFilter, slot_pages
from backfill_gateway.db.statements import recording_statements
from backfill_gateway.db.types import UtcDateTime
from tests.conftest import FIXED_NOW
from tests.support.airflow_versions import LATEST

ON_POSTGRESQL = pytest.mark.parametrize(
    "demo_database", [("postgresql", LATEST)], indirect=True, ids=["postgresql"]
)
EMPTY_ON_POSTGRESQL = pytest.mark.parametrize(
    "empty_database", [("postgresql", LATEST)], indirect=True, ids=["postgresql"]
)


SCOPE = DagScope.from_globs(("sales_*", "web_events_hourl?", "ml_feature_refresh"))


def _statements(airflow):
    """The gateway's read statements of every kind the direct path takes: IN lists of
    several lengths (none included), UTC timestamps bound, constants, cursors, scopes."""
    cutoff = FIXED_NOW - timedelta(minutes=10)
    scope = SCOPE
    yield backfills_by_id([], airflow)
    yield backfills_by_id([1], airflow)
    yield backfills_by_id([*range(1, 40), 999_999], airflow, scope)
    for spec in (
        BackfillFilter(),
        BackfillFilter(statuses=("ORPHANED", "RUNNING", "COMPLETED")),
        BackfillFilter(
            dag_ids=("daily_sales", "nope"), created_after=FIXED_NOW - timedelta(days=400)
        ),
        BackfillFilter(backfill_ids=(1, 2, 3), created_before=FIXED_NOW),
    ):
        for seek in (
            Seek(limit=4),
            Seek(limit=3, after=(2,)),
            Seek(limit=2, descending=True, before=(5,)),
        ):
            page = backfill_page(spec, "id", seek, cutoff, airflow)
            yield page.statement, page.parameters
        yield count_backfills(spec, cutoff, scope)
    for spec in (
        SlotFilter(),
        SlotFilter(states=("success", "failed")),
        SlotFilter(is_skipped=True),
    ):
        for seek in (Seek(limit=3), Seek(limit=2, after=(2, 0)), Seek(limit=2, from_end=True)):
            page = slot_pages(
                [1, 2, 3, 4], spec, seek, ("run_id", "state"), "postgresql", airflow=airflow
            )
            yield page.statement, page.parameters
    yield select(literal(7).label("seven"), literal(cutoff, UtcDateTime()).label("cutoff")), {}


@ON_POSTGRESQL
async def test_same_sql_rows_and_values_as_sqlalchemy(demo_database, airflow, make_engine):
    engine = make_engine(demo_database.url)
    session = ReadSession([engine])
    compared = 0
    async with engine.connect() as connection:
        for statement, parameters in _statements(airflow):
            assert compiled_read(statement, parameters, engine.dialect) is not None
            with recording_statements() as through_sqlalchemy:
                expected = (await connection.execute(statement, parameters)).all()
            with recording_statements() as direct:
                rows = await session.all(statement, parameters)
            assert direct.statements == through_sqlalchemy.statements
            assert [row._fields for row in rows] == [row._fields for row in expected]
            assert [tuple(row) for row in rows] == [tuple(row) for row in expected]
            assert [[type(v) for v in row] for row in rows] == [
                [type(v) for v in row] for row in expected
            ]
            assert [row._mapping for row in rows] == [row._mapping for row in expected]
            compared += len(rows)
    # The scope's patterns are bound through their type's processor (glob -> LIKE): the
    # scoped lookup above matched some of the DAGs, not none and not all.
    ids = range(1, 40)
    in_scope = {row.id for row in await session.all(*backfills_by_id(ids, airflow, SCOPE))}
    assert set() < in_scope < {row.id for row in await session.all(*backfills_by_id(ids, airflow))}
    assert session._direct is not None  # the session's reads did bypass SQLAlchemy
    await session.close()
    assert compared > 50


@ON_POSTGRESQL
async def test_timestamps_and_json_decode_as_sqlalchemy_decodes_them(
    demo_database, airflow, make_engine
):
    session = ReadSession([make_engine(demo_database.url)])
    rows = await session.all(*backfills_by_id(list(range(1, 40)), airflow))
    await session.close()
    created = [row.created_at for row in rows]
    assert created and all(
        value.tzinfo is not None and value.utcoffset() == timedelta(0) for value in created
    )
    confs = [row.dag_run_conf for row in rows if row.dag_run_conf is not None]
    assert confs and all(isinstance(conf, dict) for conf in confs)


@EMPTY_ON_POSTGRESQL
async def test_an_engine_with_other_listeners_goes_through_sqlalchemy(empty_database, make_engine):
    # Instrumentation (a cursor listener) sees every statement: no direct reads then.
    engine = make_engine(empty_database.url)
    seen: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    session = ReadSession([engine])
    [(answer,)] = await session.all(select(literal(1)))
    assert session._direct is None
    await session.close()
    assert answer == 1 and len(seen) == 1


@EMPTY_ON_POSTGRESQL
@pytest.mark.parametrize(
    "event_name",
    ["before_cursor_execute", "after_cursor_execute", "before_execute", "after_execute",
     "handle_error"],
)  # fmt: skip
async def test_a_listener_of_any_execute_event_turns_direct_reads_off(
    empty_database, make_engine, event_name
):
    engine = make_engine(empty_database.url)
    assert engine_reads_directly(engine)
    listener = lambda *args, **kwargs: None  # noqa: E731
    event.listen(engine.sync_engine, event_name, listener)
    assert not engine_reads_directly(engine)
    event.remove(engine.sync_engine, event_name, listener)
    assert engine_reads_directly(engine)


@EMPTY_ON_POSTGRESQL
async def test_sql_errors_are_wrapped_as_sqlalchemy_wraps_them(empty_database, make_engine):
    engine = make_engine(empty_database.url)
    statement = select(cast(literal("seven"), Integer))
    async with engine.connect() as connection:
        with pytest.raises(exc.DBAPIError) as through_sqlalchemy:
            await connection.execute(statement)
    session = ReadSession([engine])
    assert compiled_read(statement, {}, engine.dialect) is not None
    with recording_statements() as log:
        with pytest.raises(exc.DBAPIError) as direct:
            await session.all(statement)
    assert session._direct is not None
    await session.close()
    assert type(direct.value) is type(through_sqlalchemy.value)
    assert type(direct.value.orig) is type(through_sqlalchemy.value.orig)
    assert direct.value.orig.sqlstate == through_sqlalchemy.value.orig.sqlstate == "22P02"
    assert not direct.value.connection_invalidated
    assert (log.count, log.read_retries) == (1, 0)


@EMPTY_ON_POSTGRESQL
async def test_a_statement_timeout_is_unavailable_and_not_retried(empty_database, make_engine):
    session = ReadSession([make_engine(empty_database.url, statement_timeout=0.2)])
    with recording_statements() as log:
        with pytest.raises(DatabaseUnavailable, match="statement timeout"):
            await session.all(select(func.pg_sleep(2)))
    assert session._direct is not None
    await session.close()
    assert (log.count, log.read_retries) == (1, 0)


async def _kill(admin, pid: int) -> None:
    async with admin.connect() as connection:
        await connection.execute(select(func.pg_terminate_backend(pid)))


@EMPTY_ON_POSTGRESQL
async def test_a_connection_killed_under_a_direct_read_runs_it_again(empty_database, make_engine):
    engine, admin = make_engine(empty_database.url), make_engine(empty_database.url)
    session = ReadSession([engine])
    [(first,)] = await session.all(select(func.pg_backend_pid()))
    assert session._direct is not None
    with recording_statements() as log:
        running = asyncio.create_task(
            session.all(select(func.pg_sleep(0.6), func.pg_backend_pid()))
        )
        await asyncio.sleep(0.3)
        await _kill(admin, first)
        [(_, second)] = await running
    await session.close()
    assert second != first
    assert log.read_retries == 1
    assert sum("pg_sleep" in statement for statement in log.statements) == 2  # sent twice


@EMPTY_ON_POSTGRESQL
async def test_a_cancelled_direct_read_does_not_return_its_connection_to_the_pool(
    empty_database, make_engine
):
    engine = make_engine(empty_database.url, pool_size=1, max_overflow=0)
    session = ReadSession([engine])
    [(first,)] = await session.all(select(func.pg_backend_pid()))
    running = asyncio.create_task(session.all(select(func.pg_sleep(5))))
    await asyncio.sleep(0.2)
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    await session.close()
    # The pool's only connection was replaced: a statement cut off mid-way leaves the
    # connection in a state nobody knows (SQLAlchemy invalidates it the same way).
    session = ReadSession([engine])
    [(second,)] = await session.all(select(func.pg_backend_pid()))
    await session.close()
    assert second != first


def test_compiled_reads_are_bounded_per_statement_and_in_all():
    from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg

    from backfill_gateway.db import asyncpg_reads
    from tests.support.airflow_versions import airflow_schema_for

    dialect = PGDialect_asyncpg()
    airflow = airflow_schema_for(LATEST)
    statement, _ = backfills_by_id([1], airflow)
    for length in range(1, 3 * asyncpg_reads.LENGTHS_PER_STATEMENT):
        ids = list(range(length))
        read = compiled_read(statement, {"ids": ids}, dialect)
        assert (
            read.sql.count("::INTEGER") >= length
            and read.arguments_of({"ids": ids})[-length:] == ids
        )
    [(_, _, entry)] = [
        v for k, v in asyncpg_reads._statements.items() if k == (id(statement), id(dialect))
    ]
    assert len(entry.reads) == asyncpg_reads.LENGTHS_PER_STATEMENT
    for _ in range(asyncpg_reads.CACHE_SIZE + 10):  # statements built per call
        assert compiled_read(select(literal(1)), {}, dialect) is not None
    assert len(asyncpg_reads._statements) == asyncpg_reads.CACHE_SIZE


async def _session_on_one_connection(url: str, make_engine):
    """An engine with a one-connection pool, a session that read directly on it, its pid."""
    engine = make_engine(url, pool_size=1, max_overflow=0)
    session = ReadSession([engine])
    [(pid,)] = await session.all(select(func.pg_backend_pid()))
    assert session._direct is not None
    return engine, session, pid


@EMPTY_ON_POSTGRESQL
async def test_direct_reads_hold_the_pooled_connection_alone_and_return_it(
    empty_database, make_engine
):
    # No Connection / AsyncConnection objects around it (db.engine.checkout_pooled).
    engine, session, first = await _session_on_one_connection(empty_database.url, make_engine)
    pool = engine.sync_engine.pool
    assert session._connection is None and session._pooled is not None
    assert pool.checkedout() == 1
    await session.close()
    assert pool.checkedout() == 0
    # The next request gets the same connection back from the pool.
    again = ReadSession([engine])
    [(second,)] = await again.all(select(func.pg_backend_pid()))
    await again.close()
    assert second == first and pool.checkedout() == 0


@EMPTY_ON_POSTGRESQL
async def test_a_read_needing_sqlalchemy_runs_on_the_same_pooled_connection(
    empty_database, make_engine
):
    engine, session, first = await _session_on_one_connection(empty_database.url, make_engine)
    pool = engine.sync_engine.pool
    # A Numeric result has a result processor: SQLAlchemy's execute path reads it.
    numeric = select(cast(literal(2.5), Numeric(4, 2)), func.pg_backend_pid())
    assert compiled_read(numeric, {}, engine.dialect) is None
    [(value, second)] = await session.all(numeric)
    assert session._connection is not None and session._pooled is None
    [(third,)] = await session.all(select(func.pg_backend_pid()))  # direct again
    assert session._direct is not None
    assert (value, second, third) == (Decimal("2.50"), first, first)
    assert pool.checkedout() == 1
    await session.close()
    assert pool.checkedout() == 0


async def test_an_unreachable_database_fails_alike_through_both_checkouts(make_engine):
    from backfill_gateway.db.engine import checkout, checkout_pooled

    engine = make_engine("postgresql+asyncpg://postgres@127.0.0.1:9/none")  # nothing listens
    with pytest.raises(Exception) as through_connect:  # noqa: PT011 - compared below
        await checkout(engine)
    with pytest.raises(Exception) as pooled:  # noqa: PT011
        await checkout_pooled(engine)
    assert type(pooled.value) is type(through_connect.value)
    assert str(pooled.value) == str(through_connect.value)
    session = ReadSession([engine])
    with pytest.raises(DatabaseUnavailable):
        await session.all(select(literal(1)))
    await session.close()
    assert engine.sync_engine.pool.checkedout() == 0


@EMPTY_ON_POSTGRESQL
async def test_a_driver_error_on_checkout_is_wrapped_as_connect_wraps_it(empty_database, make_engine):
    from backfill_gateway.db.engine import checkout, checkout_pooled

    url = make_url(empty_database.url).set(database="no_such_database_here")
    engine = make_engine(url.render_as_string(hide_password=False))
    with pytest.raises(exc.DBAPIError) as through_connect:
        await checkout(engine)
    with pytest.raises(exc.DBAPIError) as pooled:
        await checkout_pooled(engine)
    assert type(pooled.value) is type(through_connect.value)
    assert type(pooled.value.orig) is type(through_connect.value.orig)


@EMPTY_ON_POSTGRESQL
async def test_an_idle_direct_connection_goes_back_without_a_greenlet_unless_the_pool_is_full(
    empty_database, make_engine, monkeypatch
):
    from backfill_gateway.db import engine as engine_module

    spawned = []
    real_spawn = engine_module.greenlet_spawn

    async def counting_spawn(fn, *args, **kwargs):
        spawned.append(getattr(fn, "__name__", fn))
        return await real_spawn(fn, *args, **kwargs)

    monkeypatch.setattr(engine_module, "greenlet_spawn", counting_spawn)
    engine = make_engine(empty_database.url, pool_size=1, max_overflow=1)
    pool = engine.sync_engine.pool
    kept, overflow = ReadSession([engine]), ReadSession([engine])
    [(kept_pid,)] = await kept.all(select(func.pg_backend_pid()))
    [(overflow_pid,)] = await overflow.all(select(func.pg_backend_pid()))
    assert kept_pid != overflow_pid and pool.overflow() == 1
    spawned.clear()
    await kept.close()  # the pool has room: back at once
    assert spawned == [] and pool.checkedin() == 1
    await overflow.close()  # no room: the pool closes it, which is IO (in a greenlet)
    assert spawned == ["close"] and pool.checkedin() == 1 and pool.checkedout() == 0
    after = ReadSession([engine])
    [(pid,)] = await after.all(select(func.pg_backend_pid()))
    await after.close()
    assert pid == kept_pid
    async with make_engine(empty_database.url).connect() as connection:
        alive = (await connection.execute(
            text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": overflow_pid}
        )).scalar_one()  # fmt: skip
    assert alive == 0  # the overflow connection was closed, not leaked
