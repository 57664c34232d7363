"""Constants of the demo and `DemoDataset`, the rows it builds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON

# Changing the seed changes every demo row; tests only rely on properties, not values.
SEED = 20260901

# The JSON value `null`, as opposed to SQL NULL (`None`).
JSON_NULL = JSON.NULL

SCHEDULER_JOB_ID = 1
LOG_TEMPLATE_ID = 1
DAGS_FOLDER = "/opt/airflow/dags"
PARTITION_KEY_FORMAT = "%Y-%m-%dT%H:%M:%S"  # CronPartitionTimetable's default key format

QUEUED, RUNNING, SUCCESS, FAILED = "queued", "running", "success", "failed"
ALREADY_EXISTS, IN_FLIGHT = "already exists", "in flight"


@dataclass
class DemoDataset:
    """Rows per table (every column explicit, ids included) and backfill ids per case.

    Cases (each a sorted list of backfill ids):
    - by state: `running`, `paused`, `completed`, `cancelled` (paused and completed, a run
      still going), `orphaned` (no slots, active, days old), `initializing` (no slots,
      created 5 s before `now`), `slotless_with_active_run` (no slots, owns a queued run,
      older than the grace period);
    - by request: `reverse`, `reprocess_none` / `_failed` / `_completed`, `null_conf`
      (`dag_run_conf` is JSON null), `is_paused_null`, `hourly`, `partitioned`, `large`
      (1,000+ slots);
    - by slots: `skipped_already_exists`, `skipped_in_flight`, `run_deleted` (slot with
      neither run nor reason), `reprocessed_runs_moved` (a slot whose run a later
      backfill now owns);
    - by DAG: `deleted_dag` (no row in `dag`), `stale_dag`, `paused_dag`.
    """

    now: datetime
    dags: list[dict[str, Any]]
    backfills: list[dict[str, Any]]
    dag_runs: list[dict[str, Any]]
    backfill_dag_runs: list[dict[str, Any]]
    task_instances: list[dict[str, Any]]
    cases: dict[str, list[int]]
