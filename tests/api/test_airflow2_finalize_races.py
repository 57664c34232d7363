"""finalizeOrphanedBackfills on Airflow 2 against live processes and concurrent finalizers:
a live backfill (a real process writing its heartbeat, or waiting without one while its
task supervisor heartbeats or its tasks progress) is never finalized; eight concurrent
finalizers finalize each dead BackfillJob exactly once, with one audit row each."""

from __future__ import annotations

import asyncio
import sys
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from sqlalchemy import select

from backfill_gateway.db.airflow2.tables import job, log
from tests.api.test_airflow2_backfills import AIRFLOW2_BACKENDS
from tests.conftest import FIXED_NOW
from tests.support.airflow2 import Airflow2Writer, airflow2_client, airflow2_database
from tests.support.finalize import ADMIN, finalize, outcomes

PROJECT_DIR = Path(__file__).resolve().parents[2]
T = FIXED_NOW


@pytest.fixture(params=AIRFLOW2_BACKENDS)
async def af2_db(request, tmp_path_factory):
    async with airflow2_database(request.param, tmp_path_factory) as (database, engine):
        yield database, engine


def client_for(url: str, clock=lambda: FIXED_NOW, **settings):
    return airflow2_client(url, clock, **settings)


async def start_live(url: str, mode: str, job_id: int) -> asyncio.subprocess.Process:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.support.airflow2_live", url, mode, str(job_id),
        cwd=PROJECT_DIR, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    line = await asyncio.wait_for(process.stdout.readline(), 30)
    assert line.strip() == b"ready"
    return process


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["heartbeat", "supervisor", "progress"])
async def test_a_live_backfill_is_never_finalized(af2_db, mode):
    """A real process keeps the backfill alive (its heartbeat; or, waiting without one, a
    task supervisor's heartbeat or its tasks' progress). Everything else about it is an hour
    old. It is never finalized while the process runs; once killed, it is, exactly once."""
    database, engine = af2_db
    w = Airflow2Writer(engine)
    now = datetime.now(UTC)
    hour_ago = now - timedelta(hours=1)
    await w.add_dag("etl")
    job_id = await w.start_backfill("etl", ["-s", "2026-01-01", "-e", "2026-01-02"], at=hour_ago)
    await w.create_run("etl", datetime(2026, 1, 1, tzinfo=UTC), creating_job_id=job_id, at=hour_ago,
                       tasks={"a": "running", "b": None}, queued_by=job_id)  # fmt: skip
    supervisor = job_id + 1  # the running task's LocalTaskJob
    live = await start_live(database.url, mode, supervisor if mode == "supervisor" else job_id)
    clock_offset = timedelta(0)
    client = client_for(database.url, clock=lambda: datetime.now(UTC) + clock_offset,
                        orphan_grace_period_seconds=120)  # fmt: skip
    try:
        seen = Counter()
        for _ in range(12):
            seen.update(outcomes(await finalize(client, dryRun=False)).values())
            await asyncio.sleep(0.25)
        assert "FINALIZED" not in seen and sum(seen.values()) == 12, seen
        assert set(seen) <= {"TOO_YOUNG", "HAS_ACTIVE_RUNS", "LOCKED"}, seen
    finally:
        live.kill()
        await live.wait()
    # Dead now; three minutes later (past the 120 s grace) it is an orphan.
    clock_offset = timedelta(minutes=3)
    assert outcomes(await finalize(client, dryRun=False)) == {job_id: "FINALIZED"}
    assert outcomes(await finalize(client, dryRun=False, backfillIds=[job_id])) == {
        job_id: "ALREADY_COMPLETED"
    }
    await client.close()


@pytest.mark.slow
async def test_eight_concurrent_finalizers_finalize_each_dead_job_exactly_once(af2_db):
    database, engine = af2_db
    w = Airflow2Writer(engine)
    old = T - timedelta(days=1)
    dead, decoys = [], {}
    for n in range(24):
        dag_id = f"dag_{n % 4}"
        if n < 4:
            await w.add_dag(dag_id)
        job_id = await w.start_backfill(dag_id, ["-s", "2026-01-01", "-e", "2026-01-02"], at=old)
        await w.create_run(dag_id, datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=n), creating_job_id=job_id,
                           at=old, tasks={"a": "running", "b": "queued"}, queued_by=job_id)  # fmt: skip
        if n % 6 == 5:  # a live one among them
            await w.heartbeat(job_id, T - timedelta(seconds=5))
            decoys[job_id] = "TOO_YOUNG"
        else:
            dead.append(job_id)
    clients = [client_for(database.url), client_for(database.url)]
    seen: list[tuple[str, int, str]] = []
    barrier = asyncio.Barrier(8)

    async def caller(n: int) -> None:
        client = clients[n % 2]
        name = f"caller-{n}"
        await barrier.wait()
        selections = (
            [{"backfillIds": sorted(dead + list(decoys), reverse=n % 2 == 1)}]
            if n < 4
            else [{"dagIds": [f"dag_{(n + k) % 4}"], "limit": 3} for k in range(4)] * 3
        )
        for selection in selections:
            response = await client.graphql(
                "mutation($i: FinalizeOrphanedBackfillsInput!) { finalizeOrphanedBackfills(input: $i) "
                "{ userErrors { message } results { backfillId outcome } } }",
                {"i": {"dryRun": False, **selection}}, headers=ADMIN,
            )  # fmt: skip
            payload = response.ok()["finalizeOrphanedBackfills"]
            assert payload["userErrors"] == []
            seen.extend((name, r["backfillId"], r["outcome"]) for r in payload["results"])

    await asyncio.gather(*(caller(n) for n in range(8)))
    for client in clients:
        await client.close()
    by_id: dict[int, Counter] = defaultdict(Counter)
    for _, job_id, outcome in seen:
        by_id[job_id][outcome] += 1
    for job_id in dead:
        assert by_id[job_id]["FINALIZED"] == 1, (job_id, by_id[job_id])
        assert set(by_id[job_id]) <= {"FINALIZED", "ALREADY_COMPLETED", "LOCKED"}, by_id[job_id]
    for job_id, expected in decoys.items():
        assert set(by_id[job_id]) == {expected}, by_id[job_id]
    if database.backend == "sqlite":
        assert all(outcome != "LOCKED" for _, _, outcome in seen)
    async with engine.connect() as connection:
        states = dict((await connection.execute(select(job.c.id, job.c.state).where(job.c.job_type == "BackfillJob"))).all())
        logs = (await connection.execute(select(log.c.extra, log.c.owner).where(log.c.event == "finalize_orphaned_backfill"))).all()
    assert {i for i, s in states.items() if s == "failed"} == set(dead)
    finalized_by = {job_id: name for name, job_id, outcome in seen if outcome == "FINALIZED"}
    assert sorted(orjson.loads(extra)["backfill_id"] for extra, _ in logs) == sorted(dead)
    assert len(finalized_by) == len(dead)
