"""Timestamps are stored as Airflow stores them and always read back as aware UTC."""

from __future__ import annotations

from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import insert, select, text

from backfill_gateway.db.tables import log
from tests.conftest import _enter_database
from tests.support.databases import BACKENDS, create_airflow_schema

BERLIN_SUMMER = timezone(timedelta(hours=2))


@pytest.mark.parametrize("backend", BACKENDS)
async def test_aware_values_are_stored_as_utc_and_read_back_aware(backend, tmp_path_factory):
    written = datetime(2026, 9, 1, 12, 30, 15, 250000, tzinfo=BERLIN_SUMMER)
    async with AsyncExitStack() as stack:
        database = await _enter_database(backend, tmp_path_factory, stack)
        engine = await create_airflow_schema(database.url)
        try:
            async with engine.begin() as connection:
                await connection.execute(insert(log).values(dttm=written, event="probe"))
                read = (await connection.execute(select(log.c.dttm))).scalar_one()
                raw = (await connection.execute(text("SELECT CAST(dttm AS CHAR(40)) FROM log")
                       if backend == "mysql" else text("SELECT dttm FROM log"))).scalar_one()  # fmt: skip
        finally:
            await engine.dispose()
    assert read == written and read.tzinfo is not None and read.utcoffset() == timedelta(0)
    if backend == "sqlite":
        assert raw == "2026-09-01 10:30:15.250000"  # Airflow's naive UTC text
    elif backend == "mysql":
        assert raw == "2026-09-01 10:30:15.250000"  # TIMESTAMP(6) in a UTC session
    else:
        assert raw == written.astimezone(UTC)


async def test_naive_values_are_refused_rather_than_guessed(tmp_path_factory):
    async with AsyncExitStack() as stack:
        database = await _enter_database("sqlite", tmp_path_factory, stack)
        engine = await create_airflow_schema(database.url)
        try:
            async with engine.begin() as connection:
                with pytest.raises(Exception, match="naive datetime"):
                    await connection.execute(insert(log).values(dttm=datetime(2026, 1, 1), event="x"))
        finally:
            await engine.dispose()


async def test_asyncpg_reads_utc_whatever_the_session_time_zone(tmp_path_factory):
    """Under asyncpg, UtcDateTime adds no per-value conversion (it costs a call per
    timestamp of every row): asyncpg itself decodes timestamptz in datetime.UTC."""
    written = datetime(2026, 9, 1, 12, 30, 15, 250000, tzinfo=BERLIN_SUMMER)
    async with AsyncExitStack() as stack:
        database = await _enter_database("postgresql", tmp_path_factory, stack)
        engine = await create_airflow_schema(database.url)
        try:
            assert engine.dialect.driver == "asyncpg"
            assert log.c.dttm.type._cached_result_processor(engine.dialect, None) is None
            async with engine.begin() as connection:
                await connection.execute(insert(log).values(dttm=written, event="probe"))
                await connection.execute(text("SET TIME ZONE 'America/New_York'"))
                read = (await connection.execute(select(log.c.dttm))).scalar_one()
        finally:
            await engine.dispose()
    assert read == written and read.tzinfo is UTC
