"""The subscription hub over Airflow 2.11 (a backfill is a BackfillJob): the job's heartbeat
and the task instances it queued are changes, found by the same one statement per interval.

The world is tests/support/airflow2_scenario.py: job 8 is a live BackfillJob whose run
`etl_daily` 2026-04-02 is in flight, its task `extract` queued by the job.
"""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import and_, select, update

from backfill_gateway.app import create_app
from backfill_gateway.db.airflow2.tables import dag_run, job, task_instance
from backfill_gateway.resolvers.context import ANONYMOUS
from tests.conftest import FIXED_NOW, _enter_database, gateway_app, gateway_settings
from tests.support.airflow2 import create_airflow2_schema
from tests.support.airflow2_scenario import write_scenario

LIVE_JOB = 8
QUERY = """subscription($ids: [Int!]) { backfillUpdates(filter: {backfillIds: $ids}) {
  backfillId status latestHeartbeat progress { runningCount queuedCount } } }"""


@pytest.fixture(params=["sqlite", "postgresql", "mysql"])
async def hub(request, tmp_path_factory):
    async with AsyncExitStack() as stack:
        database = await _enter_database(request.param, tmp_path_factory, stack)
        engine = await create_airflow2_schema(database.url)
        await write_scenario(engine, str(tmp_path_factory.mktemp("marker") / "never"))
        app = gateway_app(database.url, live_poll_seconds=3600)
        hub = app.state.live
        hub.writer = engine
        yield hub
        await hub.close()
        await app.state.engine.dispose()
        await engine.dispose()


async def baseline(hub) -> None:
    async with asyncio.timeout(30):
        while hub.polls == 0:
            await asyncio.sleep(0.01)


async def test_a_task_instance_and_a_heartbeat_of_a_live_backfill_job_are_events(hub):
    streams = [await hub.subscribe(QUERY, {"ids": [LIVE_JOB]}, None, ANONYMOUS) for _ in range(50)]
    initial = [await anext(stream) for stream in streams]
    assert initial[0].data["backfillUpdates"]["backfillId"] == LIVE_JOB
    await baseline(hub)
    assert await hub.poll_once() == 1
    now = datetime.now(UTC)
    async with hub.writer.begin() as connection:
        run_id = (await connection.execute(
            select(dag_run.c.run_id).where(dag_run.c.creating_job_id == LIVE_JOB)
        )).scalar_one()  # fmt: skip
        await connection.execute(
            update(task_instance)
            .where(and_(task_instance.c.run_id == run_id, task_instance.c.task_id == "extract"))
            .values(state="running", updated_at=now)
        )  # fmt: skip
    changed = await hub.poll_once()
    events = [await anext(stream) for stream in streams]
    assert all(event is events[0] for event in events)
    assert events[0].data["backfillUpdates"]["backfillId"] == LIVE_JOB
    async with hub.writer.begin() as connection:
        await connection.execute(
            update(job).where(job.c.id == LIVE_JOB).values(latest_heartbeat=now)
        )
    assert await hub.poll_once() == changed  # the same work for another change
    events = [await anext(stream) for stream in streams]
    beat = datetime.fromisoformat(events[0].data["backfillUpdates"]["latestHeartbeat"])
    assert abs((beat - now).total_seconds()) < 1
    assert await hub.poll_once() == 1
    for stream in streams:
        await stream.aclose()
    assert not hub.groups


@pytest.mark.parametrize("backend", ["sqlite", "postgresql", "mysql"])
async def test_a_backfill_job_going_quiet_turns_orphaned_with_time_alone(backend, tmp_path_factory):
    """Nothing is written when a BackfillJob's process dies: its heartbeat, runs and tasks
    just stop changing. Past the grace period it is ORPHANED, which is an event."""
    async with AsyncExitStack() as stack:
        database = await _enter_database(backend, tmp_path_factory, stack)
        engine = await create_airflow2_schema(database.url)
        await write_scenario(engine, str(tmp_path_factory.mktemp("marker") / "never"))
        now = [FIXED_NOW]
        app = create_app(
            gateway_settings(database.url, live_poll_seconds=3600), clock=lambda: now[0]
        )
        hub = app.state.live
        try:
            stream = await hub.subscribe(QUERY, {"ids": [LIVE_JOB]}, None, ANONYMOUS)
            initial = await anext(stream)
            assert initial.data["backfillUpdates"]["status"] == "RUNNING"
            await baseline(hub)
            assert await hub.poll_once() == 1
            now[0] = FIXED_NOW + timedelta(days=1)
            assert await hub.poll_once() > 1
            async with asyncio.timeout(30):
                event = await anext(stream)
            assert event.data["backfillUpdates"]["status"] == "ORPHANED"
            assert await hub.poll_once() == 1
            await stream.aclose()
        finally:
            await hub.close()
            await app.state.engine.dispose()
            await engine.dispose()
