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
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from sqlalchemy import select, update

from backfill_gateway.db.airflow2.tables import dag_run, job, log, task_instance
from tests.api.test_airflow2_backfills import AIRFLOW2_BACKENDS
from tests.conftest import FIXED_NOW
from tests.support.airflow2 import Airflow2Writer, airflow2_client, airflow2_database
from tests.support.finalize import ADMIN_NAME, READER, finalize, outcomes
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
    async with airflow2_database(request.param, tmp_path_factory) as (database, engine):
        yield database, engine


def client_for(url: str, clock=lambda: FIXED_NOW, **settings) -> GatewayClient:
    return airflow2_client(url, clock, **settings)


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
    env.update({"DATABASE_URL": database.url})  # Airflow 2.11 detected

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
