"""The worker's subscription hub, in process, on real databases: what one change-detection
interval costs (statements counted by db/statements.py's recorder, never timed), grouping
and fan-out, and that every subscriber's leaving frees everything.

The poller's own loop is parked (a poll interval of an hour, after its baseline poll); each
test runs intervals itself with `hub.poll_once()`, which returns once every group has
processed the interval's changes.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from backfill_gateway.app import create_app
from backfill_gateway.db.engine import create_engine
from backfill_gateway.db.tables import backfill, backfill_dag_run, dag_run
from backfill_gateway.resolvers.context import ANONYMOUS
from tests.conftest import FIXED_NOW, gateway_app, gateway_settings
from tests.support.airflow_versions import dataset_for, load_versioned_dataset
from tests.support.live_rows import finish_a_run

pytestmark = pytest.mark.airflow_versions("3.0", "3.1", "3.2", "3.3")

QUERY = """
subscription Live($ids: [Int!]) {
  backfillUpdates(filter: {backfillIds: $ids}) {
    backfillId status
    progress { runningCount successCount finishedCount }
    dagRuns(first: 5, filter: {isSkipped: false}) { nodes { dagRun { state } } }
  }
}
"""
ACTIVE_BACKFILL = 20  # sales_daily_etl: active, 120 slots, runs in flight (demo data)
# The detection, the changed backfill's re-read, its progress, its slot page (runs included).
STATEMENTS_PER_CHANGED_BACKFILL = 4


@pytest.fixture
async def hub(empty_database, demo_dataset):
    engine = create_engine(empty_database.url, pool_size=2, max_overflow=2)
    await load_versioned_dataset(engine, dataset_for(empty_database.version, demo_dataset), empty_database.version)
    app = gateway_app(empty_database.url, live_poll_seconds=3600)
    hub = app.state.live
    hub.writer = engine
    yield hub
    await hub.close()
    assert not hub.groups
    await app.state.engine.dispose()
    await engine.dispose()


async def subscribers(hub, count: int, variables: dict) -> list:
    streams = [await hub.subscribe(QUERY, variables, "Live", ANONYMOUS) for _ in range(count)]
    return streams


async def next_events(streams) -> list[dict]:
    async with asyncio.timeout(30):
        return [(await anext(stream)) for stream in streams]


async def settle_baseline(hub, polls_before: int = 0) -> None:
    """Wait for the baseline poll (the first one, which reports nothing) of the poller the
    last subscription started; `polls_before`: `hub.polls` before that subscription. A
    poller started after every subscriber left begins with a baseline of its own, which a
    test's `poll_once` must not run beside (its detection statement would count too)."""
    async with asyncio.timeout(30):
        while hub.polls <= polls_before:
            await asyncio.sleep(0.01)


async def test_statements_per_interval_are_the_same_for_1_and_500_subscribers(hub):
    counts = {}
    running = {}
    for count in (1, 500):
        polls_before = hub.polls  # the second round's subscribers start a new poller
        streams = await subscribers(hub, count, {"ids": [ACTIVE_BACKFILL]})
        initial = await next_events(streams)
        assert {event.data["backfillUpdates"]["backfillId"] for event in initial} == {ACTIVE_BACKFILL}
        assert len(hub.groups) == 1 and hub.subscriber_count == count
        await settle_baseline(hub, polls_before)
        assert await hub.poll_once() == 1  # nothing changed: the detection statement only
        before = initial[0].data["backfillUpdates"]["progress"]["runningCount"]
        await finish_a_run(hub.writer, ACTIVE_BACKFILL)
        counts[count] = await hub.poll_once()
        events = await next_events(streams)
        running[count] = [e.data["backfillUpdates"]["progress"]["runningCount"] for e in events]
        assert running[count] == [before - 1] * count
        assert events[0] is events[-1]  # one execution, fanned out
        assert await hub.poll_once() == 1
        for stream in streams:
            await stream.aclose()
        assert not hub.groups and hub.subscriber_count == 0
    print("statements per interval", counts)
    assert counts[1] == counts[500]
    assert counts[1] == STATEMENTS_PER_CHANGED_BACKFILL


async def test_only_changed_backfills_are_read_and_sent(hub):
    async with hub.writer.connect() as connection:
        total = len((await connection.execute(select(backfill.c.id))).all())
    streams = await subscribers(hub, 3, None)  # every backfill
    for stream in streams:
        initial = [await anext(stream) for _ in range(total)]
        assert len({e.data["backfillUpdates"]["backfillId"] for e in initial}) == total
    await settle_baseline(hub)
    await finish_a_run(hub.writer, ACTIVE_BACKFILL)
    # The same statements as for a subscription of that one backfill: only it is re-read.
    assert await hub.poll_once() == STATEMENTS_PER_CHANGED_BACKFILL
    for event in await next_events(streams):
        assert event.data["backfillUpdates"]["backfillId"] == ACTIVE_BACKFILL
    assert await hub.poll_once() == 1
    for stream in streams:
        await stream.aclose()
    assert not hub.groups


async def test_a_late_subscriber_gets_the_latest_state_without_statements(hub):
    first = await subscribers(hub, 1, {"ids": [ACTIVE_BACKFILL, 22]})
    initial = await next_events(first + first)
    before = hub.statements.count
    late = await subscribers(hub, 1, {"ids": [ACTIVE_BACKFILL, 22]})
    replay = await next_events(late + late)
    assert [e.data for e in replay] == [e.data for e in initial]
    assert hub.statements.count == before
    assert len(hub.groups) == 1
    for stream in first + late:
        await stream.aclose()
    assert not hub.groups and hub._poller is None


async def test_a_new_matching_backfill_appears_and_a_completed_one_is_sent(hub):
    dag_id = "sales_daily_etl"
    streams = [await hub.subscribe(
        "subscription($d: [String!]) { backfillUpdates(filter: {dagIds: $d, statuses: [RUNNING, COMPLETED]}) { backfillId status completedAt } }",
        {"d": [dag_id]}, None, ANONYMOUS,
    )]  # fmt: skip
    await settle_baseline(hub)
    initial = []
    async with asyncio.timeout(30):
        while True:
            event = await anext(streams[0])
            initial.append(event.data["backfillUpdates"])
            if event.data["backfillUpdates"]["backfillId"] == ACTIVE_BACKFILL:
                break
    now = datetime.now(UTC)
    async with hub.writer.begin() as connection:
        await connection.execute(
            update(backfill).where(backfill.c.id == ACTIVE_BACKFILL)
            .values(completed_at=now, updated_at=now)
        )  # fmt: skip
    await hub.poll_once()
    (event,) = await next_events(streams)
    assert event.data["backfillUpdates"]["backfillId"] == ACTIVE_BACKFILL
    assert event.data["backfillUpdates"]["status"] == "COMPLETED"
    await streams[0].aclose()


async def test_a_task_instance_change_is_an_event(hub):
    """What taskCounts shows: a task instance of a run in flight moves on (Airflow's
    task_instance table, in the test schemas since task counts came)."""
    from sqlalchemy import column, table

    airflow = await hub.airflow.get()
    if "task_instance" not in airflow.columns:
        pytest.skip("this test schema has no task_instance table")
    ti = table("task_instance", column("dag_id"), column("run_id"), column("task_id"),
               column("state"), column("updated_at"))  # fmt: skip
    streams = await subscribers(hub, 2, {"ids": [ACTIVE_BACKFILL]})
    await next_events(streams)
    await settle_baseline(hub)
    assert await hub.poll_once() == 1
    async with hub.writer.begin() as connection:
        dag_id, run_id = (await connection.execute(
            select(dag_run.c.dag_id, dag_run.c.run_id)
            .join(backfill_dag_run, backfill_dag_run.c.dag_run_id == dag_run.c.id)
            .where(backfill_dag_run.c.backfill_id == ACTIVE_BACKFILL, dag_run.c.state == "running")
            .order_by(dag_run.c.id).limit(1)
        )).one()  # fmt: skip
        changed = (await connection.execute(
            update(ti).where(ti.c.dag_id == dag_id, ti.c.run_id == run_id)
            .values(state="success", updated_at=datetime.now(UTC))
        )).rowcount  # fmt: skip
    assert changed, "the demo's running runs have task instances"
    assert await hub.poll_once() == STATEMENTS_PER_CHANGED_BACKFILL
    events = await next_events(streams)
    assert events[0].data["backfillUpdates"]["backfillId"] == ACTIVE_BACKFILL
    for stream in streams:
        await stream.aclose()


async def test_a_subscriber_that_does_not_read_is_ended_not_buffered(hub, monkeypatch):
    from backfill_gateway.web.live import hub as hub_module

    monkeypatch.setattr(hub_module, "MAX_PENDING_EVENTS", 2)
    stream = await hub.subscribe("subscription { backfillUpdates { backfillId } }", None, None, ANONYMOUS)
    async with asyncio.timeout(30):
        while not next(iter(hub.groups.values())).idle.is_set():
            await asyncio.sleep(0.01)
        received = [event async for event in stream]
    assert [event.data["backfillUpdates"]["backfillId"] for event in received[:2]] == [1, 2]
    assert received[2].data is None
    assert received[2].errors[0].extensions["code"] == "SERVICE_UNAVAILABLE"
    assert len(received) == 3
    assert not hub.groups


async def test_a_backfill_turning_orphaned_with_time_alone_is_an_event(empty_database, demo_dataset):
    """No row changes when a slotless backfill outlives the grace period: its status
    (INITIALIZING, then ORPHANED) changes with the clock, and so does its signature."""
    dataset = dataset_for(empty_database.version, demo_dataset)
    engine = create_engine(empty_database.url, pool_size=2, max_overflow=2)
    await load_versioned_dataset(engine, dataset, empty_database.version)
    now = [FIXED_NOW]
    app = create_app(
        gateway_settings(empty_database.url, live_poll_seconds=3600), clock=lambda: now[0]
    )
    hub = app.state.live
    try:
        [initializing] = dataset.cases["initializing"]
        [stream] = await subscribers(hub, 1, {"ids": [initializing]})
        [initial] = await next_events([stream])
        assert initial.data["backfillUpdates"]["status"] == "INITIALIZING"
        await settle_baseline(hub)
        assert await hub.poll_once() == 1
        now[0] = FIXED_NOW + timedelta(seconds=app.state.settings.orphan_grace_period_seconds)
        assert await hub.poll_once() > 1
        [event] = await next_events([stream])
        assert event.data["backfillUpdates"]["status"] == "ORPHANED"
        assert await hub.poll_once() == 1  # once
        await stream.aclose()
    finally:
        await hub.close()
        await app.state.engine.dispose()
        await engine.dispose()
