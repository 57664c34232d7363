"""Task instances of the demo's runs, as Airflow 3 leaves them at `now`.

Every demo DAG is the same five-task pipeline: a sensor, an extract, a mapped transform
(one task instance per map index once expanded), a load and a publish step. A run's task
instances follow its state the way Airflow's scheduler leaves them:

- created and not started: one task instance per task, no state; the mapped task not yet
  expanded (a single `map_index = -1` row);
- cleared (re-queued by a later backfill): the states cleared to none, map indexes kept;
- running: upstream tasks done, the current one running (or the sensor waiting in
  `up_for_reschedule`), a mapped task's indexes spread over the in-between states
  (`queued`, `scheduled`, `up_for_retry`, `deferred`, ...), downstream tasks without state;
  a task of a run cleared while running is `restarting`;
- success: all `success`, the publish step `skipped` by its branch on some runs, and on a
  re-run that expanded to fewer indexes the extra index `removed`;
- failed: one map index `failed`, the tasks after it `upstream_failed`; a run that a cancel
  failed before it started keeps task instances without state.

Nothing here draws from the simulation's random generator: the rest of the dataset is the
same with or without task instances. Which variant a run gets follows from its id.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from backfill_gateway.demo.dataset import FAILED, QUEUED, RUNNING, SUCCESS
from backfill_gateway.demo.runs import SimulatedRun

# (task_id, operator); the third task is mapped.
PIPELINE = (
    ("wait_for_source", "ExternalTaskSensor"),
    ("extract", "PythonOperator"),
    ("transform", "PythonOperator"),
    ("load", "SQLExecuteQueryOperator"),
    ("publish", "BranchPythonOperator"),
)
MAPPED_TASK = "transform"
MAPPED_IN_FLIGHT = ("success", "running", "queued", "scheduled", "up_for_retry", "deferred")
_ID_NAMESPACE = uuid.UUID("6d1c3f4e-0b1a-4c55-9b7e-000000000ba7")


def _map_width(run: SimulatedRun) -> int:
    return 2 + run.id % 4


def _states(run: SimulatedRun, now: datetime) -> list[tuple[str, int, str | None]]:
    """(task_id, map_index, state) of every task instance of the run."""
    life = run.life
    state = life.state_at(now)
    width = _map_width(run)
    tasks = [task for task, _ in PIPELINE]

    def expanded(states: list[str | None]) -> list[tuple[str, int, str | None]]:
        return [(MAPPED_TASK, index, s) for index, s in enumerate(states)]

    def unexpanded(state: str | None = None) -> list[tuple[str, int, str | None]]:
        return [(MAPPED_TASK, -1, state)]

    def plain(task: str, state: str | None) -> tuple[str, int, str | None]:
        return (task, -1, state)

    if state == QUEUED or (state == FAILED and life.started_at is None):
        mapped = expanded([None] * width) if run.clear_number else unexpanded()
        return [plain(t, None) for t in tasks[:2]] + mapped + [plain(t, None) for t in tasks[3:]]
    if state == SUCCESS:
        mapped = expanded(["success"] * width)
        if run.clear_number:
            mapped.append((MAPPED_TASK, width, "removed"))
        publish = "skipped" if run.id % 3 == 0 else "success"
        return [plain(t, "success") for t in tasks[:2]] + mapped + [
            plain("load", "success"), plain("publish", publish),
        ]  # fmt: skip
    if state == FAILED:
        mapped = expanded(["failed"] + ["success"] * (width - 1))
        return [plain(t, "success") for t in tasks[:2]] + mapped + [
            plain("load", "upstream_failed"), plain("publish", "upstream_failed"),
        ]  # fmt: skip
    assert state == RUNNING, state
    stage = run.id % 4
    if stage == 0:
        return [plain("wait_for_source", "up_for_reschedule"), plain("extract", None),
                *unexpanded(), plain("load", None), plain("publish", None)]  # fmt: skip
    if stage == 1:
        return [plain("wait_for_source", "success"), plain("extract", "running"),
                *unexpanded(), plain("load", None), plain("publish", None)]  # fmt: skip
    if stage == 2:
        spread = len(MAPPED_IN_FLIGHT)
        mapped = expanded([MAPPED_IN_FLIGHT[(i + run.id) % spread] for i in range(width)])
        return [plain(t, "success") for t in tasks[:2]] + mapped + [
            plain("load", None), plain("publish", None),
        ]  # fmt: skip
    load = "restarting" if run.clear_number else "running"
    return [plain(t, "success") for t in tasks[:2]] + expanded(["success"] * width) + [
        plain("load", load), plain("publish", None),
    ]  # fmt: skip


def _whole_seconds(delta: timedelta) -> timedelta:
    return timedelta(seconds=int(delta.total_seconds()))


def task_instance_rows(run: SimulatedRun, now: datetime) -> list[dict[str, Any]]:
    """Every `task_instance` row of the run (all columns explicit), in task order."""
    life = run.life
    started = life.started_at
    ended = life.ended_at or now
    step = _whole_seconds((ended - started) / len(PIPELINE)) if started else timedelta(0)
    operators = dict(PIPELINE)
    positions = {task: position for position, (task, _) in enumerate(PIPELINE)}
    rows = []
    for task_id, map_index, state in _states(run, now):
        ran = state not in (None, "scheduled", "queued", "removed", "upstream_failed")
        finished = state in ("success", "failed", "skipped")
        begin = started + step * positions[task_id] if started and ran else None
        end = begin + step if begin is not None and finished else None
        queued = begin - timedelta(seconds=2) if begin is not None else None
        if state == "queued" and started:
            queued = started + step * positions[task_id]
        rows.append({
            "id": uuid.uuid5(_ID_NAMESPACE, f"{run.id}/{task_id}/{map_index}"),
            "task_id": task_id,
            "dag_id": run.dag.dag_id,
            "run_id": run.run_id,
            "map_index": map_index,
            "start_date": begin,
            "end_date": end,
            "duration": (end - begin).total_seconds() if end is not None else None,
            "state": state,
            "try_number": (2 if state == "up_for_retry" else 1) if ran else 0,
            "max_tries": 2,
            "hostname": "airflow-worker-0" if ran else None,
            "unixname": "airflow" if ran else None,
            "pool": "default_pool",
            "pool_slots": 1,
            "queue": "default",
            "priority_weight": len(PIPELINE) - positions[task_id],
            "operator": operators[task_id],
            "custom_operator_name": None,
            "queued_dttm": queued,
            "scheduled_dttm": queued - timedelta(seconds=1) if queued is not None else None,
            "queued_by_job_id": 1 if queued is not None else None,
            "last_heartbeat_at": begin if state == "running" else None,
            "pid": 1000 + run.id if state == "running" else None,
            "executor": None,
            "executor_config": None,
            "updated_at": end or begin or queued or life.queued_at,
            "rendered_map_index": None,
            "context_carrier": None,
            "span_status": "ended" if finished else "not_started",
            "external_executor_id": None,
            "trigger_id": None,
            "trigger_timeout": None,
            "next_method": "execute_complete" if state == "deferred" else None,
            "next_kwargs": None,
            "task_display_name": None,
            "dag_version_id": run.dag_version_id,
            "retry_delay_override": None,
            "retry_reason": None,
        })  # fmt: skip
    return rows
