"""Many Airflow 2 BackfillJobs at once (multi-row inserts), for statement counts and page walks.

Jobs come in pairs on one DAG: the second of each pair takes over the first's last TAKEN
runs (its task instances' queued_by_job_id) and creates the rest of its own. Returns each
job's slots (run ids in logical-date order) and each run's state, computed here in Python.
Each run has two task instances: `t1` (success) and the first map index of `fan_out`, in its
run's state (none while queued).
"""

from __future__ import annotations

import pickle
from datetime import datetime, timedelta

from backfill_gateway.db.airflow2.tables import dag, dag_run, job, task_instance
from tests.support.airflow2 import insert_rows

TAKEN = 3
STATES = ("success", "failed", "running", "queued", "success")
MAPPED_STATE = {"success": "success", "failed": "failed", "running": "running", "queued": None}


async def load_many_jobs(engine, now: datetime, *, jobs: int, runs_each: int):
    base = datetime(2025, 1, 1, tzinfo=now.tzinfo)
    job_rows, run_rows, ti_rows, dag_rows = [], [], [], []
    slots: dict[int, list[int]] = {}
    states: dict[int, str] = {}
    run_pk = 0
    for j in range(1, jobs + 1):
        dag_id = f"dag_{(j - 1) // 2}"
        if j % 2:
            dag_rows.append({
                "dag_id": dag_id, "is_paused": False, "is_active": True, "max_active_tasks": 16,
                "max_active_runs": 3, "max_consecutive_failed_dag_runs": 0,
                "has_task_concurrency_limits": False,
            })  # fmt: skip
        started = now - timedelta(days=jobs - j + 1)
        job_rows.append({
            "id": j, "dag_id": None, "state": "success" if j % 3 else "running",
            "job_type": "BackfillJob", "start_date": started, "end_date": None,
            "latest_heartbeat": started, "executor_class": None, "hostname": "h", "unixname": "u",
        })  # fmt: skip
        mine: list[int] = []
        if j % 2 == 0:  # take over the pair's first job's last runs
            mine += slots[j - 1][-TAKEN:]
            for row in ti_rows:
                if row["dag_id"] == dag_id and row["_run_pk"] in mine:
                    row["queued_by_job_id"] = j
        offset = runs_each if j % 2 == 0 else 0
        for i in range(runs_each - (TAKEN if j % 2 == 0 else 0)):
            run_pk += 1
            day = base + timedelta(days=offset + i)
            state = STATES[(j + i) % len(STATES)]
            states[run_pk] = state
            run_id = f"backfill__{day.isoformat()}"
            run_rows.append({
                "id": run_pk, "dag_id": dag_id, "queued_at": started, "execution_date": day,
                "start_date": started, "end_date": None, "state": state, "run_id": run_id,
                "creating_job_id": j, "external_trigger": False, "run_type": "backfill",
                "conf": pickle.dumps({"i": i}), "data_interval_start": day,
                "data_interval_end": day + timedelta(days=1), "last_scheduling_decision": None,
                "dag_hash": None, "log_template_id": None, "updated_at": started, "clear_number": 0,
            })  # fmt: skip
            ti_rows.append({
                "_run_pk": run_pk, "task_id": "t1", "dag_id": dag_id, "run_id": run_id,
                "map_index": -1, "state": "success", "pool": "default_pool", "pool_slots": 1,
                "queued_by_job_id": j, "updated_at": started,
            })  # fmt: skip
            # a mapped task's first index, following its run (not yet scheduled while queued)
            ti_rows.append({
                **ti_rows[-1], "task_id": "fan_out", "map_index": 0,
                "state": MAPPED_STATE[state],
            })  # fmt: skip
            mine.append(run_pk)
        slots[j] = mine
    by_pk = {row["id"]: row for row in run_rows}
    for mine in slots.values():
        mine.sort(key=lambda pk: (by_pk[pk]["execution_date"], pk))
    for row in ti_rows:
        del row["_run_pk"]
    async with engine.begin() as connection:
        for table, rows in ((dag, dag_rows), (job, job_rows), (dag_run, run_rows), (task_instance, ti_rows)):
            for start in range(0, len(rows), 500):
                await insert_rows(connection, table, rows[start : start + 500])
    return slots, states
