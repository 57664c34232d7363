"""One Airflow 2.11 world, written as Airflow 2 writes it, for the read tests.

Relative to FIXED_NOW (the gateway's clock in tests), grace period 600 s:

job 1  etl_daily -s 2026-01-01 -e 2026-01-05: five runs created, all success; job success.
job 2  reports   -s 2026-02-01 -e 2026-02-03: runs success, failed, failed; job failed.
job 3  LocalTaskJob of job 2's first run (a SchedulerJob-free world has these too).
job 4  etl_daily -s 2026-03-01 -e 2026-03-10 --run-backwards: killed (SIGKILL) two days ago
       after creating 03-10 (success) and 03-09 (running, its task's LocalTaskJob dead too).
job 6  reports --rerun-failed-tasks -s 2026-02-02 -e 2026-02-03: reused job 2's failed runs
       (their failed tasks queued by job 6), both success; job success.
job 8  etl_daily --reset-dagruns -s 2026-04-01 -e 2026-04-02: reused a manual run of 04-01,
       created 04-02; alive (heartbeat 5 s ago).
job 9  BackfillJob that died before writing anything else, no audit row: no DAG, no range.
job 10 SchedulerJob; it created a scheduled run of etl_daily 2026-05-01 (no backfill's).
Run 1 (job 1's first) carries a conf pickled with a global (os.system): unreadable.
"""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from backfill_gateway.db.airflow2.tables import dag_run, task_instance
from tests.conftest import FIXED_NOW
from tests.support.airflow2 import Airflow2Writer

T = FIXED_NOW
DAY = timedelta(days=1)


def d(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


class _Exploit:
    """Pickles to `os.system(...)`: what an attacker with write access could store."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


@dataclass
class Scenario:
    marker: str  # the file the exploit would create if it were ever unpickled
    runs: dict[str, int]  # name -> dag_run id


async def write_scenario(engine, marker: str) -> Scenario:
    w = Airflow2Writer(engine)
    await w.add_dag("etl_daily")
    await w.add_dag("reports", is_active=False, schedule_interval=None, dag_display_name="Reports")
    runs: dict[str, int] = {}

    # job 1: normal, completed.
    start = T - 10 * DAY
    j1 = await w.start_backfill("etl_daily", ["-s", "2026-01-01", "-e", "2026-01-05"], at=start)
    assert j1 == 1
    exploit = pickle.dumps({"k": _Exploit(marker)})
    for day in range(1, 6):
        runs[f"etl_01_0{day}"] = await w.create_run(
            "etl_daily", d(2026, 1, day), creating_job_id=j1, at=start, state="success",
            end=start + timedelta(minutes=day), tasks={"extract": "success", "load": "success"},
            queued_by=j1, raw_conf=exploit if day == 1 else None,
            conf=None if day == 1 else {"day": day, "tags": ("a", "b")},
        )  # fmt: skip
    await w.end_job(j1, "success", start + timedelta(minutes=6))

    # job 2: failing tasks, job failed; its LocalTaskJob is job 3.
    start = T - 9 * DAY
    j2 = await w.start_backfill("reports", ["-s", "2026-02-01", "-e", "2026-02-03"], at=start)
    runs["rep_02_01"] = await w.create_run(
        "reports", d(2026, 2, 1), creating_job_id=j2, at=start, state="running",
        tasks={"build": "running"}, queued_by=j2,
    )  # fmt: skip
    assert w.next_job_id == 4
    await w._update(dag_run, [dag_run.c.id == runs["rep_02_01"]],
                    {"state": "success", "end_date": start + timedelta(minutes=2)})  # fmt: skip
    await w._update(task_instance, [task_instance.c.run_id == "backfill__2026-02-01T00:00:00+00:00"],
                    {"state": "success", "end_date": start + timedelta(minutes=2)})  # fmt: skip
    await w.end_job(3, "success", start + timedelta(minutes=2))
    for day in (2, 3):
        runs[f"rep_02_0{day}"] = await w.create_run(
            "reports", d(2026, 2, day), creating_job_id=j2, at=start, state="failed",
            end=start + timedelta(minutes=3), tasks={"build": "failed"}, queued_by=j2,
        )  # fmt: skip
    await w.end_job(j2, "failed", start + timedelta(minutes=4))

    # job 4: reverse, killed two days ago mid-run.
    start = T - 2 * DAY
    j4 = await w.start_backfill(
        "etl_daily", ["-s", "2026-03-01", "-e", "2026-03-10", "--run-backwards", "-y"], at=start
    )
    assert j4 == 4
    runs["etl_03_10"] = await w.create_run(
        "etl_daily", d(2026, 3, 10), creating_job_id=j4, at=start, state="success",
        end=start + timedelta(minutes=1), tasks={"extract": "success", "load": "success"}, queued_by=j4,
    )  # fmt: skip
    runs["etl_03_09"] = await w.create_run(
        "etl_daily", d(2026, 3, 9), creating_job_id=j4, at=start + timedelta(minutes=1),
        tasks={"extract": "success", "load": "running", "report": None}, queued_by=j4,
    )  # fmt: skip  (LocalTaskJob 5)
    await w.heartbeat(j4, start + timedelta(minutes=2))

    # job 6: rerun of job 2's failed runs.
    start = T - 8 * DAY
    j6 = await w.start_backfill(
        "reports", ["--rerun-failed-tasks", "--start-date", "2026-02-02", "--end-date=2026-02-03"], at=start
    )
    assert j6 == 6
    for day in (2, 3):
        await w.take_over(runs[f"rep_02_0{day}"], j6, at=start, tasks={"build": "success"})
        await w._update(dag_run, [dag_run.c.id == runs[f"rep_02_0{day}"]],
                        {"state": "success", "end_date": start + timedelta(minutes=5)})  # fmt: skip
    await w.end_job(j6, "success", start + timedelta(minutes=6))

    # job 8: reuses a manual run, alive.
    runs["etl_04_01"] = await w.create_run(
        "etl_daily", d(2026, 4, 1), creating_job_id=None, run_type="manual", at=T - 3 * DAY,
        state="failed", end=T - 3 * DAY, tasks={"extract": "failed"}, queued_by=None,
    )  # fmt: skip
    assert w.next_job_id == 7  # no LocalTaskJob for an unqueued manual run's failed task
    w.next_job_id = 8
    start = T - timedelta(minutes=30)
    j8 = await w.start_backfill(
        "etl_daily", ["--reset-dagruns", "-s", "2026-04-01", "-e", "2026-04-02", "-c", '{"full": true}'], at=start
    )
    assert j8 == 8
    await w.take_over(runs["etl_04_01"], j8, at=start, tasks={"extract": "queued"})
    runs["etl_04_02"] = await w.create_run(
        "etl_daily", d(2026, 4, 2), creating_job_id=j8, at=start, state="running",
        tasks={"extract": "queued"}, queued_by=j8,
    )  # fmt: skip
    await w.heartbeat(j8, T - timedelta(seconds=5))

    # job 9: died at once; job 10: the scheduler and its run.
    w.next_job_id = 9
    assert await w.start_backfill("etl_daily", [], at=T - 3 * DAY, log_it=False) == 9
    scheduler = await w.add_job("SchedulerJob", start=T - 20 * DAY, heartbeat=T)
    assert scheduler == 10
    runs["etl_05_01"] = await w.create_run(
        "etl_daily", d(2026, 5, 1), creating_job_id=scheduler, run_type="scheduled", at=T - DAY,
        state="success", end=T - DAY, tasks={"extract": "success"}, queued_by=scheduler,
    )  # fmt: skip
    return Scenario(marker, runs)
