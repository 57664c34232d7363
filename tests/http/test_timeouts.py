"""Statement timeout (on the server) and request timeout (in the gateway), under and over.

A statement is made slow by holding a lock on `backfill` from another session:
PostgreSQL's `statement_timeout` and MariaDB's `max_statement_time` both count
the time spent waiting for it.
"""

from __future__ import annotations

import asyncio
import time
from contextlib import asynccontextmanager

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from backfill_gateway.db.engine import connections_in_use
from tests.http.conftest import GRAPHQL_RESPONSE, codes, post

pytestmark = pytest.mark.parametrize("http_database", ["postgresql", "mysql"], indirect=True)

QUERY = "{ backfills(first: 2) { totalCount nodes { backfillId } } }"


@asynccontextmanager
async def backfill_table_locked(url: str):
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            if engine.dialect.name == "postgresql":
                await connection.execute(text("LOCK TABLE backfill IN ACCESS EXCLUSIVE MODE"))
            else:
                await connection.execute(text("LOCK TABLES backfill WRITE"))
            try:
                yield
            finally:
                if engine.dialect.name != "postgresql":
                    await connection.execute(text("UNLOCK TABLES"))
                await connection.rollback()
    finally:
        await engine.dispose()


async def test_statement_timeout_under_and_over(make_gateway, http_database):
    client = make_gateway(statement_timeout_seconds=0.5, request_timeout_seconds=30)
    under = await post(client, QUERY)
    assert under.status_code == 200 and "errors" not in under.json()
    async with backfill_table_locked(http_database.url):
        started = time.monotonic()
        over = await post(client, QUERY, accept=GRAPHQL_RESPONSE)
        assert time.monotonic() - started < 10
    assert over.status_code == 200  # a field error: execution had started
    assert over.json()["data"] is None
    assert codes(over) == ["SERVICE_UNAVAILABLE"]
    assert "statement timeout" in over.json()["errors"][0]["message"]
    after = await post(client, QUERY)
    assert "errors" not in after.json()


async def test_request_timeout_under_and_over(make_gateway, http_database):
    client = make_gateway(statement_timeout_seconds=0, request_timeout_seconds=1)
    under = await post(client, QUERY)
    assert under.status_code == 200 and "errors" not in under.json()
    async with backfill_table_locked(http_database.url):
        started = time.monotonic()
        over = await post(client, QUERY, accept=GRAPHQL_RESPONSE)
        assert time.monotonic() - started < 10
    assert over.status_code == 503
    assert "data" not in over.json()
    assert codes(over) == ["SERVICE_UNAVAILABLE"]
    assert "did not complete within 1 seconds" in over.json()["errors"][0]["message"]
    # The connection stuck behind the lock was dropped, not leaked: the pool recovers.
    after = await post(client, QUERY)
    assert "errors" not in after.json()
    for _ in range(50):
        if connections_in_use(client.app.state.engine) == 0:
            break
        await asyncio.sleep(0.1)
    assert connections_in_use(client.app.state.engine) == 0
