"""With its default pool, a worker serving as many concurrent requests as its connection
budget keeps its connections: after the first wave, later waves open none.

SQLAlchemy closes an overflow connection when it comes back to a pool already holding
`pool_size` idle ones; with the former default (10 + 10 overflow) a worker above ten
concurrent requests opened and closed connections all the time (settings.py).
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import event

from backfill_gateway.db.engine import connections_in_use, idle_connections
from backfill_gateway.settings import Settings

QUERY = "{ backfills(first: 3) { nodes { backfillId dagRuns(first: 2) { nodes { sortOrdinal } } } } }"


@pytest.mark.parametrize("http_database", ["sqlite", "postgresql", "mysql"], indirect=True)
async def test_concurrent_waves_within_the_budget_open_no_new_connections(make_gateway):
    gateway = make_gateway()  # the default pool settings
    concurrency = Settings(database_url="sqlite:///unused.sqlite").primary_connection_budget
    opened = []
    event.listen(gateway.app.state.engine.sync_engine, "connect", lambda *_: opened.append(1))
    waves = []
    for _ in range(4):
        before = len(opened)
        responses = await asyncio.gather(*(gateway.graphql(QUERY) for _ in range(concurrency)))
        assert all(not response.errors for response in responses)
        waves.append(len(opened) - before)
    engine = gateway.app.state.engine
    # None in use; idle: in the pool, or kept for the next read (db/kept_connections.py).
    assert connections_in_use(engine) == 0
    # The first wave opens what it needs (at most the budget); the rest reuse them.
    assert 1 <= waves[0] <= concurrency
    assert waves[1:] == [0, 0, 0]
    assert idle_connections(engine) == waves[0]
