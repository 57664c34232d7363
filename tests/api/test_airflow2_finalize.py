"""finalizeOrphanedBackfills on Airflow 2.11 (SQLite and PostgreSQL, Airflow's DDL): dead
BackfillJobs are finalized as Airflow's "mark dag run failed" would, live ones never.

The world of the outcome tests (gateway clock FIXED_NOW, grace 600 s):
job 1  DEAD (etl): killed two days ago; run 1 success, run 2 running (tasks in every state),
       run 3 queued.
job 3  DEAD_SHARED (reports): killed; run 4 running, taken over since by job 4; run 5 queued.
job 4  YOUNG (reports): took run 4 over, heartbeat a minute ago.
job 5  COMPLETED (etl, success).
job 6  LIVE_TASK (misc): no heartbeat for two days, a task running under a LocalTaskJob that
       heartbeat 30 s ago.
job 8  WAITING (misc2): no heartbeat for two days, its tasks updated two minutes ago.
job 9  a SchedulerJob, which also runs a scheduled run (8) of etl: never touched.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections import Counter, defaultdict
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from sqlalchemy import select, update

from backfill_gateway.app import create_app
from backfill_gateway.db.airflow2.tables import dag_run, job, log, task_instance
from tests.api.test_airflow2_backfills import AIRFLOW2_BACKENDS
from tests.conftest import FIXED_NOW, _enter_database, gateway_settings
from tests.support.airflow2 import Airflow2Writer, create_airflow2_schema
from tests.support.finalize import ADMIN, ADMIN_NAME, READER, TOKENS, finalize, outcomes
from tests.support.gateway import GatewayClient

PROJECT_DIR = Path(__file__).resolve().parents[2]
T = FIXED_NOW
GRACE = timedelta(seconds=600)
CUTOFF = T - GRACE
DEAD, DEAD_SHARED, YOUNG, COMPLETED, LIVE_TASK, WAITING, SCHEDULER = 1, 3, 4, 5, 6, 8, 9
EVERY_TASK_STATE = {
    "done": "success", "running": "running", "deferred": "deferred",
    "reschedule": "up_for_reschedule", "none": None, "scheduled": "scheduled",
    "queued": "queued", "retry": "up_for_retry",
}  # fmt: skip


@pytest.fixture(params=AIRFLOW2_BACKENDS)
async def af2_db(request, tmp_path_factory):
    async with AsyncExitStack() as stack:
        database = await _enter_database(request.param, tmp_path_factory, stack)
        engine = await create_airflow2_schema(database.url)
        yield database, engine
        await engine.dispose()


def client_for(url: str, clock=lambda: FIXED_NOW, **settings) -> GatewayClient:
    settings = {"tokens": TOKENS, "airflow_version": "2.11", **settings}
    return GatewayClient(create_app(gateway_settings(url, **settings), clock=clock))


@pytest.fixture
async def world(af2_db):
    database, engine = af2_db
    w = Airflow2Writer(engine)
    old = T - timedelta(days=2)
    for dag_id in ("etl", "reports", "misc", "misc2"):
        await w.add_dag(dag_id)
    assert await w.start_backfill("etl", ["-s", "2026-01-01", "-e", "2026-01-09"], at=old) == DEAD
    await w.create_run("etl", datetime(2026, 1, 1, tzinfo=UTC), creating_job_id=DEAD, at=old,
                       state="success", end=old, tasks={"done": "success"}, queued_by=DEAD)  # fmt: skip
    await w.create_run("etl", datetime(2026, 1, 2, tzinfo=UTC), creating_job_id=DEAD, at=old,
                       tasks=EVERY_TASK_STATE, queued_by=DEAD)  # fmt: skip  (LocalTaskJob 2)
    await w.create_run("etl", datetime(2026, 1, 3, tzinfo=UTC), creating_job_id=DEAD, at=old,
                       state="queued", tasks={"none": None}, queued_by=DEAD)  # fmt: skip
    assert await w.start_backfill("reports", ["-s", "2026-02-01", "-e", "2026-02-02"], at=old) == DEAD_SHARED
    await w.create_run("reports", datetime(2026, 2, 1, tzinfo=UTC), creating_job_id=DEAD_SHARED,
                       at=old, tasks={"a": "failed"}, queued_by=DEAD_SHARED)  # fmt: skip
    await w.create_run("reports", datetime(2026, 2, 2, tzinfo=UTC), creating_job_id=DEAD_SHARED,
                       at=old, state="queued", tasks={"a": "scheduled"}, queued_by=DEAD_SHARED)  # fmt: skip
    assert await w.start_backfill("reports", ["-s", "2026-02-01", "-e", "2026-02-01"], at=old) == YOUNG
    await w.take_over(4, YOUNG, at=old, tasks={"a": "queued"})
    await w.heartbeat(YOUNG, T - timedelta(minutes=1))
    assert await w.start_backfill("etl", ["-s", "2025-12-01", "-e", "2025-12-01"], at=old) == COMPLETED
    await w.end_job(COMPLETED, "success", old + timedelta(minutes=1))
    assert await w.start_backfill("misc", ["-s", "2026-03-01", "-e", "2026-03-01"], at=old) == LIVE_TASK
    misc_run = await w.create_run("misc", datetime(2026, 3, 1, tzinfo=UTC), creating_job_id=LIVE_TASK, at=old)
    await w.set_tasks(misc_run, {"long": "running"}, at=old, queued_by=LIVE_TASK,
                      supervisor_heartbeat=T - timedelta(seconds=30))  # fmt: skip  (LocalTaskJob 7)
    assert await w.start_backfill("misc2", ["-s", "2026-03-01", "-e", "2026-03-01"], at=old) == WAITING
    await w.create_run("misc2", datetime(2026, 3, 1, tzinfo=UTC), creating_job_id=WAITING, at=old,
                       tasks={"a": "queued"}, queued_by=WAITING)  # fmt: skip
    async with engine.begin() as connection:
        await connection.execute(
            update(task_instance).where(task_instance.c.queued_by_job_id == WAITING)
            .values(updated_at=T - timedelta(minutes=2))
        )  # fmt: skip
    assert await w.add_job("SchedulerJob", start=old, heartbeat=T) == SCHEDULER
    await w.create_run("etl", datetime(2026, 1, 4, tzinfo=UTC), creating_job_id=SCHEDULER,
                       run_type="scheduled", at=old, tasks={"a": "running"}, queued_by=SCHEDULER)  # fmt: skip
    client = client_for(database.url)
    yield database, engine, client
    await client.close()


async def snapshot(engine) -> dict[str, dict]:
    async with engine.connect() as connection:
        result = {}
        for name, table, key in (
            ("job", job, (job.c.id,)),
            ("dag_run", dag_run, (dag_run.c.id,)),
            ("task_instance", task_instance, (task_instance.c.run_id, task_instance.c.task_id)),
            ("log", log, (log.c.id,)),
        ):
            rows = await connection.execute(select(table).order_by(*key))
            result[name] = {
                tuple(row._mapping[c.name] for c in key): dict(row._mapping) for row in rows
            }
        return result


EXPECTED_DRY = {
    DEAD: "WOULD_FINALIZE", DEAD_SHARED: "WOULD_FINALIZE", YOUNG: "TOO_YOUNG",
    LIVE_TASK: "HAS_ACTIVE_RUNS", WAITING: "HAS_ACTIVE_RUNS",
}  # fmt: skip


async def test_dry_run_is_the_default_and_writes_nothing(world):
    _, engine, client = world
    before = await snapshot(engine)
    response = await finalize(client)
    payload = response.ok()["finalizeOrphanedBackfills"]
    assert payload["dryRun"] is True
    assert outcomes(response) == EXPECTED_DRY  # every running BackfillJob, in id order
    assert await snapshot(engine) == before
    named = await finalize(client, backfillIds=[COMPLETED, 999, 2, SCHEDULER, DEAD])
    assert outcomes(named) == {
        2: "NOT_FOUND", DEAD: "WOULD_FINALIZE", COMPLETED: "ALREADY_COMPLETED",
        SCHEDULER: "NOT_FOUND", 999: "NOT_FOUND",
    }  # fmt: skip
    assert await snapshot(engine) == before


async def test_finalizing_writes_what_mark_dag_run_failed_writes_and_nothing_else(world):
    _, engine, client = world
    before = await snapshot(engine)
    response = await finalize(client, dryRun=False)
    assert outcomes(response) == {**EXPECTED_DRY, DEAD: "FINALIZED", DEAD_SHARED: "FINALIZED"}
    results = {r["backfillId"]: r for r in response.ok()["finalizeOrphanedBackfills"]["results"]}
    assert results[DEAD]["backfill"]["status"] == "COMPLETED"
    assert results[DEAD]["backfill"]["completedAt"] == T.isoformat()
    after = await snapshot(engine)

    changed_jobs = {k for k in after["job"] if after["job"][k] != before["job"][k]}
    assert changed_jobs == {(DEAD,), (DEAD_SHARED,)}
    for key in changed_jobs:
        assert after["job"][key] == {**before["job"][key], "state": "failed", "end_date": T}

    changed_runs = {k[0] for k in after["dag_run"] if after["dag_run"][k] != before["dag_run"][k]}
    # Runs 2 and 3 of DEAD, run 5 of DEAD_SHARED; run 4 was taken over by a running job.
    assert changed_runs == {2, 3, 5}
    for run_pk in changed_runs:
        assert after["dag_run"][(run_pk,)] == {
            **before["dag_run"][(run_pk,)], "state": "failed", "end_date": T, "updated_at": T
        }

    changed_tis = {k for k in after["task_instance"] if after["task_instance"][k] != before["task_instance"][k]}
    run2 = before["dag_run"][(2,)]["run_id"]
    run3 = before["dag_run"][(3,)]["run_id"]
    run5 = before["dag_run"][(5,)]["run_id"]
    expected_states = {
        (run2, "running"): "failed", (run2, "deferred"): "failed", (run2, "reschedule"): "failed",
        (run2, "none"): "skipped", (run2, "scheduled"): "skipped", (run2, "queued"): "skipped",
        (run2, "retry"): "skipped", (run3, "none"): "skipped", (run5, "a"): "skipped",
    }  # fmt: skip
    assert changed_tis == set(expected_states)
    for key, state in expected_states.items():
        assert after["task_instance"][key] == {
            **before["task_instance"][key], "state": state, "end_date": T, "updated_at": T
        }

    new_logs = [row for key, row in after["log"].items() if key not in before["log"]]
    assert [(r["event"], r["dag_id"], r["owner"]) for r in new_logs] == [
        ("finalize_orphaned_backfill", "etl", ADMIN_NAME),
        ("finalize_orphaned_backfill", "reports", ADMIN_NAME),
    ]
    extras = [orjson.loads(r["extra"]) for r in new_logs]
    assert [e["backfill_id"] for e in extras] == [DEAD, DEAD_SHARED]
    assert all(e["grace_period_seconds"] == 600 and e["cutoff"] == CUTOFF.isoformat() for e in extras)
    assert all(r["dttm"] == T for r in new_logs)

    # Idempotent: a repeat finalizes nothing and writes nothing.
    again = await finalize(client, dryRun=False, backfillIds=[DEAD, DEAD_SHARED])
    assert outcomes(again) == {DEAD: "ALREADY_COMPLETED", DEAD_SHARED: "ALREADY_COMPLETED"}
    assert await snapshot(engine) == after


async def test_status_in_the_graph_follows_the_same_rule(world):
    _, _, client = world
    query = "{ backfills(first: 20) { nodes { backfillId status } } }"
    statuses = {n["backfillId"]: n["status"] for n in (await client.graphql(query)).ok()["backfills"]["nodes"]}
    assert statuses == {DEAD: "ORPHANED", DEAD_SHARED: "ORPHANED", YOUNG: "RUNNING",
                        COMPLETED: "COMPLETED", LIVE_TASK: "RUNNING", WAITING: "RUNNING"}  # fmt: skip
    await finalize(client, dryRun=False)
    statuses = {n["backfillId"]: n["status"] for n in (await client.graphql(query)).ok()["backfills"]["nodes"]}
    assert statuses[DEAD] == statuses[DEAD_SHARED] == "COMPLETED"


async def test_selection_by_dag_grace_and_refusals(world):
    _, engine, client = world
    assert outcomes(await finalize(client, dagIds=["reports"])) == {
        DEAD_SHARED: "WOULD_FINALIZE", YOUNG: "TOO_YOUNG",
    }
    # With a grace period of three days, nothing is old enough.
    assert set(outcomes(await finalize(client, gracePeriodSeconds=3 * 86400)).values()) == {"TOO_YOUNG"}
    before = await snapshot(engine)
    refused = await finalize(client, dryRun=False, gracePeriodSeconds=60)
    payload = refused.ok()["finalizeOrphanedBackfills"]
    assert payload["results"] == [] and payload["userErrors"][0]["code"] == "BAD_USER_INPUT"
    reader = await finalize(client, headers=READER, dryRun=False)
    assert reader.error_codes == ["FORBIDDEN"]
    assert await snapshot(engine) == before


@pytest.mark.parametrize("af2_db", ["sqlite", "postgresql"], indirect=True)
async def test_cli_finalize_orphans_dispatches_to_airflow2(world):
    database, engine, _ = world
    env = {k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_") and k != "DATABASE_URL"}
    env.update({"DATABASE_URL": database.url, "GATEWAY_AIRFLOW_VERSION": "2.11"})

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "backfill_gateway.cli", "finalize-orphans", *args],
            capture_output=True, text=True, env=env, cwd=PROJECT_DIR, timeout=60,
        )  # fmt: skip

    # The CLI runs on the real clock, for which the whole world is older still: only the
    # named dead job is asked about.
    dry = await asyncio.to_thread(run, "--backfill-id", str(DEAD))
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.split("\t")[:3] == [str(DEAD), "WOULD_FINALIZE", "etl"]
    applied = await asyncio.to_thread(run, "--apply", "--backfill-id", str(DEAD), "--owner", "cron")
    assert applied.stdout.split("\t")[:2] == [str(DEAD), "FINALIZED"]
    async with engine.connect() as connection:
        state = (await connection.execute(select(job.c.state).where(job.c.id == DEAD))).scalar()
        owners = (await connection.execute(select(log.c.owner).where(log.c.event == "finalize_orphaned_backfill"))).scalars().all()
    assert state == "failed" and owners == ["cron"]


# ------------------------------------------------------------------ live processes


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
