"""Expected answers computed in plain Python from the rows a test loaded.

The gateway answers with SQL; these functions answer the same questions by
walking the row dicts, so every API test compares two independent routes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import JSON

from backfill_gateway.demo import DemoDataset
from tests.support.airflow_versions import LATEST, at_least


def json_value(value: Any) -> Any:
    """Rows may hold SQLAlchemy's JSON.NULL (JSON null in a NOT NULL column): GraphQL null."""
    return None if value is JSON.NULL else value


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


class Oracle:
    def __init__(
        self, dataset: DemoDataset, grace_seconds: int = 600, version: str = LATEST
    ) -> None:
        self.dataset = dataset
        self.version = version  # the Airflow schema version the rows were written as
        self.cutoff = dataset.now - timedelta(seconds=grace_seconds)
        self.backfills = {row["id"]: row for row in dataset.backfills}
        self.runs = {row["id"]: row for row in dataset.dag_runs}
        self.dags = {row["dag_id"]: row for row in dataset.dags}
        self.slots_by_backfill: dict[int, list[dict[str, Any]]] = {}
        for slot in sorted(dataset.backfill_dag_runs, key=lambda s: (s["sort_ordinal"], s["id"])):
            self.slots_by_backfill.setdefault(slot["backfill_id"], []).append(slot)

    def case(self, name: str) -> int:
        """One backfill id of a demo case (the first)."""
        if name == "partitioned" and not at_least(self.version, "3.2"):
            pytest.skip(f"Airflow {self.version} has no partitioned DAGs (they came with 3.2)")
        ids = self.dataset.cases.get(name)
        assert ids, f"the demo dataset has no {name!r} case"
        return sorted(ids)[0]

    def slots(self, backfill_id: int, states=None, is_skipped=None) -> list[dict[str, Any]]:
        result = []
        for slot in self.slots_by_backfill.get(backfill_id, []):
            run = self.runs.get(slot["dag_run_id"])
            if states is not None and (run is None or run["state"] not in states):
                continue
            skipped = slot["exception_reason"] is not None
            if is_skipped is not None and skipped != is_skipped:
                continue
            result.append(slot)
        return result

    def status(self, backfill_id: int) -> str:
        row = self.backfills[backfill_id]
        if row["completed_at"] is not None:
            return "COMPLETED"
        if row["is_paused"]:
            return "PAUSED"
        owns_active_run = any(
            run["backfill_id"] == backfill_id and run["state"] in ("queued", "running")
            for run in self.runs.values()
        )
        if not self.slots_by_backfill.get(backfill_id) and not owns_active_run:
            return "ORPHANED" if row["created_at"] <= self.cutoff else "INITIALIZING"
        return "RUNNING"

    def progress(self, backfill_id: int) -> dict[str, Any]:
        slots = self.slots_by_backfill.get(backfill_id, [])
        counts = dict.fromkeys(["queued", "running", "success", "failed"], 0)
        skipped = missing = 0
        for slot in slots:
            if slot["exception_reason"] is not None:
                skipped += 1
            elif slot["dag_run_id"] is None:
                missing += 1
            run = self.runs.get(slot["dag_run_id"])
            if run is not None and run["state"] in counts:
                counts[run["state"]] += 1
        finished = counts["success"] + counts["failed"] + skipped + missing
        return {
            "slotCount": len(slots),
            "skippedCount": skipped,
            "runMissingCount": missing,
            "queuedCount": counts["queued"],
            "runningCount": counts["running"],
            "successCount": counts["success"],
            "failedCount": counts["failed"],
            "finishedCount": finished,
            "finishedFraction": finished / len(slots) if slots else None,
        }

    # ---- task instances and blocking runs (what Airflow's own lookups would answer)

    TASK_STATE_FIELDS = {
        "success": "success", "failed": "failed", "running": "running", "queued": "queued",
        "scheduled": "scheduled", "up_for_retry": "upForRetry",
        "up_for_reschedule": "upForReschedule", "upstream_failed": "upstreamFailed",
        "skipped": "skipped", "deferred": "deferred", "removed": "removed",
        "restarting": "restarting", None: "noState",
    }  # fmt: skip

    def task_counts_of_runs(self, run_ids) -> dict[str, int]:
        """Task instances by state over these runs (each map index counted)."""
        wanted = {(self.runs[i]["dag_id"], self.runs[i]["run_id"]) for i in run_ids if i in self.runs}
        counts = dict.fromkeys(["total", *self.TASK_STATE_FIELDS.values()], 0)
        for ti in self.dataset.task_instances:
            if (ti["dag_id"], ti["run_id"]) in wanted:
                counts["total"] += 1
                counts[self.TASK_STATE_FIELDS[ti["state"]]] += 1
        return counts

    def backfill_task_counts(self, backfill_id: int) -> dict[str, int]:
        slots = self.slots_by_backfill.get(backfill_id, [])
        return self.task_counts_of_runs({s["dag_run_id"] for s in slots if s["dag_run_id"]})

    def blocking_run(self, slot: dict[str, Any]) -> dict[str, Any] | None:
        """`_get_latest_dag_run_row_query` of Airflow's backfill: the DAG's run of the slot's
        date (or partition), latest start first, never-started runs last."""
        if slot["exception_reason"] is None:
            return None
        dag_id = self.backfills[slot["backfill_id"]]["dag_id"]
        candidates = [
            run for run in self.runs.values()
            if run["dag_id"] == dag_id and run["id"] != slot["dag_run_id"]
            and (slot["logical_date"] is None or run["logical_date"] == slot["logical_date"])
            and (slot["partition_key"] is None or run["partition_key"] == slot["partition_key"])
            and (slot["logical_date"] is not None or slot["partition_key"] is not None)
        ]  # fmt: skip
        if not candidates:
            return None
        started = [run for run in candidates if run["start_date"] is not None]
        if started:
            return max(started, key=lambda run: (run["start_date"], run["id"]))
        return max(candidates, key=lambda run: run["id"])
