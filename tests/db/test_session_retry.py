"""`ReadSession` retries a read whose connection was lost, once, and nothing else.

Real servers: the test kills the session's own server connection (pg_terminate_backend,
MariaDB KILL CONNECTION) between statements and in the middle of one.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import exc, text

from backfill_gateway.db.errors import DatabaseUnavailable
from backfill_gateway.db.session import ReadSession
from backfill_gateway.db.statements import recording_statements
from tests.support.airflow_versions import LATEST
from tests.support.server import free_port

pytestmark = pytest.mark.parametrize(
    "empty_database", [("postgresql", LATEST), ("mysql", LATEST)], indirect=True,
    ids=["postgresql", "mysql"],
)


def backend_id(dialect: str):
    return text("SELECT pg_backend_pid()" if dialect == "postgresql" else "SELECT CONNECTION_ID()")


def sleep(dialect: str, seconds: float):
    return text(f"SELECT pg_sleep({seconds})" if dialect == "postgresql" else f"SELECT SLEEP({seconds})")


@pytest.fixture
def engines(empty_database, make_engine):  # make_engine last: its engines close first
    return lambda url=empty_database.url, **options: make_engine(url, **options)


async def kill(admin, connection_id: int) -> None:
    async with admin.connect() as connection:
        if admin.dialect.name == "postgresql":
            await connection.execute(text("SELECT pg_terminate_backend(:id)"), {"id": connection_id})
        else:
            await connection.execute(text(f"KILL CONNECTION {int(connection_id)}"))


async def test_connection_killed_between_statements_is_replaced(engines):
    engine, admin = engines(), engines()
    dialect = engine.dialect.name
    session = ReadSession([engine])
    with recording_statements() as log:
        [(first,)] = await session.all(backend_id(dialect))
        await kill(admin, first)
        await asyncio.sleep(0.2)
        [(second,)] = await session.all(backend_id(dialect))
    await session.close()
    assert second != first
    assert log.read_retries == 1


async def test_connection_killed_under_a_statement_runs_it_again(engines):
    engine, admin = engines(), engines()
    dialect = engine.dialect.name
    session = ReadSession([engine])
    [(first,)] = await session.all(backend_id(dialect))
    with recording_statements() as log:
        running = asyncio.create_task(session.all(sleep(dialect, 0.6)))
        await asyncio.sleep(0.3)
        await kill(admin, first)
        rows = await running
    [(second,)] = await session.all(backend_id(dialect))
    await session.close()
    assert len(rows) == 1
    assert second != first
    assert log.read_retries == 1
    sent = [statement for statement in log.statements if "sleep" in statement.lower()]
    assert len(sent) == 2  # the statement, sent twice


async def test_sql_errors_are_not_retried(engines):
    session = ReadSession([engines()])
    with recording_statements() as log:
        with pytest.raises(exc.DBAPIError):  # MySQL files it as operational
            await session.all(text("SELECT no_such_column FROM backfill"))
    await session.close()
    assert (log.count, log.read_retries) == (1, 0)


async def test_statement_timeouts_are_not_retried(engines, empty_database):
    if empty_database.backend != "postgresql":
        pytest.skip("MariaDB's SLEEP() is interrupted without an error by max_statement_time")
    session = ReadSession([engines(statement_timeout=0.2)])
    with recording_statements() as log:
        with pytest.raises(DatabaseUnavailable, match="statement timeout"):
            await session.all(sleep("postgresql", 2))
    await session.close()
    assert (log.count, log.read_retries) == (1, 0)


async def test_an_unreachable_first_engine_falls_to_the_next(engines, empty_database):
    from sqlalchemy.engine import make_url

    nowhere = make_url(empty_database.url).set(host="127.0.0.1", port=free_port())
    down, up = engines(nowhere.render_as_string(hide_password=False)), engines()
    session = ReadSession([down, up])
    with recording_statements() as log:
        [(answer,)] = await session.all(text("SELECT 1"))
    await session.close()
    assert answer == 1
    assert session.engine is up
    assert log.read_retries == 1


async def test_one_unreachable_engine_is_not_retried(engines, empty_database):
    from sqlalchemy.engine import make_url

    nowhere = make_url(empty_database.url).set(host="127.0.0.1", port=free_port())
    session = ReadSession([engines(nowhere.render_as_string(hide_password=False))])
    with recording_statements() as log:
        with pytest.raises(DatabaseUnavailable):
            await session.all(text("SELECT 1"))
    assert log.read_retries == 0
