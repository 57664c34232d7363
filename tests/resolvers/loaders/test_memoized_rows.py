"""Loaders.memoized_rows: a statement that is not per parent, sent once per request."""

import asyncio

import pytest
from sqlalchemy import select, text

from backfill_gateway.db.tables import backfill
from backfill_gateway.resolvers.loaders import Loaders
from tests.resolvers.loaders.conftest import ORPHAN_CUTOFF

STATEMENT = select(backfill.c.id).order_by(backfill.c.id)


def _loaders(session, airflow) -> Loaders:
    return Loaders(session, ORPHAN_CUTOFF, airflow)


async def test_askers_of_one_key_share_one_statement(session, dataset, airflow):
    loaders = _loaders(session, airflow)
    first, second = await asyncio.gather(
        loaders.memoized_rows("ids", lambda: (STATEMENT, {})),
        loaders.memoized_rows("ids", lambda: (STATEMENT, {})),
    )
    later = await loaders.memoized_rows("ids", lambda: (STATEMENT, {}))
    assert [row.id for row in first] == sorted(row["id"] for row in dataset.backfills)
    assert first is second is later
    assert len(session.sent) == 1


async def test_every_asker_gets_the_statements_error(session, airflow):
    loaders = _loaders(session, airflow)
    failing = (text("SELECT * FROM no_such_table"), {})
    results = await asyncio.gather(
        loaders.memoized_rows("broken", lambda: failing),
        loaders.memoized_rows("broken", lambda: failing),
        return_exceptions=True,
    )
    assert all(isinstance(result, Exception) for result in results), results
    with pytest.raises(Exception, match="no_such_table"):
        await loaders.memoized_rows("broken", lambda: failing)
    assert len(session.sent) == 1


async def test_a_cancelled_first_asker_leaves_the_next_to_read(session, dataset, airflow):
    loaders = _loaders(session, airflow)
    async with session._lock:  # the first asker waits for the connection...
        first = asyncio.create_task(loaders.memoized_rows("ids", lambda: (STATEMENT, {})))
        await asyncio.sleep(0)
        first.cancel()  # ...and its request ends meanwhile
        with pytest.raises(asyncio.CancelledError):
            await first
    rows = await loaders.memoized_rows("ids", lambda: (STATEMENT, {}))
    assert [row.id for row in rows] == sorted(row["id"] for row in dataset.backfills)
    assert len(session.sent) == 2  # the cancelled asker's (never run) and this one


async def test_a_waiting_asker_reads_itself_when_the_first_is_cancelled(session, dataset, airflow):
    loaders = _loaders(session, airflow)
    async with session._lock:
        first = asyncio.create_task(loaders.memoized_rows("ids", lambda: (STATEMENT, {})))
        await asyncio.sleep(0)
        waiting = asyncio.create_task(loaders.memoized_rows("ids", lambda: (STATEMENT, {})))
        await asyncio.sleep(0)
        first.cancel()
        with pytest.raises(asyncio.CancelledError):
            await first
    rows = await waiting  # not cancelled itself: it reads instead of failing or waiting forever
    assert [row.id for row in rows] == sorted(row["id"] for row in dataset.backfills)


async def test_a_closed_first_asker_does_not_leave_the_others_waiting(session, dataset, airflow):
    loaders = _loaders(session, airflow)
    async with session._lock:
        first = loaders.memoized_rows("ids", lambda: (STATEMENT, {}))
        first.send(None)  # runs until it waits for the connection
        first.close()  # GeneratorExit, as when an abandoned coroutine is collected
    rows = await asyncio.wait_for(loaders.memoized_rows("ids", lambda: (STATEMENT, {})), 30)
    assert [row.id for row in rows] == sorted(row["id"] for row in dataset.backfills)
