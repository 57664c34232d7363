"""Records for Airflow 2 rows, shaped like the Airflow 3 ones so the schema serves both.

A BackfillJob becomes a BackfillRecord: fields Airflow 2 does not record are None (never
invented); the requested range and flags come from the paired `cli_dag_backfill` audit
row (resolvers.airflow2.command), else the range from the job's runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy.engine import Row

from backfill_gateway.db.airflow2.conf import decode_conf
from backfill_gateway.db.airflow2.ownership import FINISHED_JOB_STATES
from backfill_gateway.db.backfill_status import BackfillStatus
from backfill_gateway.resolvers.airflow2.command import parse_command
from backfill_gateway.resolvers.records import (
    BackfillRecord,
    DagRecord,
    DagRunRecord,
    SlotRecord,
)

CLI_COMMAND, RUN_DATES, UNKNOWN = "CLI_COMMAND", "RUN_DATES", "UNKNOWN"


def job_status(state: str | None, dead: bool) -> BackfillStatus:
    """COMPLETED once the job ended, ORPHANED when dead (db.airflow2.ownership.is_dead),
    else RUNNING. A 2.x backfill cannot be paused and has no creation phase."""
    if state in FINISHED_JOB_STATES:
        return BackfillStatus.COMPLETED
    if dead:
        return BackfillStatus.ORPHANED
    return BackfillStatus.RUNNING


class Airflow2BackfillRecord(BackfillRecord):
    __slots__ = (
        "range_source", "run_backwards", "reset_dag_runs", "rerun_failed_tasks",
        "latest_heartbeat", "hostname", "job_state",
    )  # fmt: skip

    @classmethod
    def from_rows(
        cls, rows: Sequence[Row], orphan_cutoff: datetime | None = None
    ) -> list[Airflow2BackfillRecord]:
        """The records of a listing's rows, read by name (job rows are few)."""
        mappings = (row._mapping for row in rows)
        return [cls(m, orphan_cutoff) for m in mappings if m["id"] is not None]

    def __init__(self, row: Mapping[str, Any], orphan_cutoff: datetime | None = None) -> None:
        self.backfill_id = row["id"]
        self.dag_id = row["dag_id"]
        self.job_state = row["state"]
        self.created_at = row["start_date"]
        finished = row["state"] in FINISHED_JOB_STATES
        self.completed_at = row["end_date"] if finished else None
        self.updated_at = None
        self.latest_heartbeat = row["latest_heartbeat"]
        self.hostname = row["hostname"]
        self.triggering_user_name = row["unixname"]
        self.is_paused = False
        self.max_active_runs = None
        self.reprocess_behavior = None
        self.has_slots = False
        self.has_active_runs = False
        command = parse_command(row["cli_extra"], row["cli_dttm"], row["start_date"])
        if command is not None and command.start is not None:
            self.range_source = CLI_COMMAND
            self.from_date, self.to_date = command.start, command.end
        elif row["first_logical_date"] is not None:
            self.range_source = RUN_DATES
            self.from_date, self.to_date = row["first_logical_date"], row["last_logical_date"]
        else:
            self.range_source = UNKNOWN
            self.from_date = self.to_date = None
        self.dag_run_conf = command.conf if command is not None else None
        self.run_backwards = command.run_backwards if command is not None else None
        self.reset_dag_runs = command.reset_dag_runs if command is not None else None
        self.rerun_failed_tasks = command.rerun_failed_tasks if command is not None else None
        self.status = job_status(row["state"], bool(row["is_dead"]))


class Airflow2DagRunRecord(DagRunRecord):
    __slots__ = ("conf_unreadable",)
    # Columns Airflow 2's dag_run does not have.
    ABSENT = (
        "triggered_by", "triggering_user_name", "run_after", "backfill_id", "partition_key",
        "partition_date", "created_at",
    )  # fmt: skip

    def __init__(self, row: Mapping[str, Any], prefix: str = "") -> None:
        for name in DagRunRecord.__slots__:
            if name in self.ABSENT:
                setattr(self, name, None)
            elif name == "conf":
                self.conf, self.conf_unreadable = decode_conf(row[prefix + "conf"])
            else:
                setattr(self, name, row[prefix + name])


def slot_from_row(row: Mapping[str, Any], prefix: str) -> SlotRecord:
    """A slot: one run of a BackfillJob (the slot's id is the run's)."""
    return SlotRecord(
        row["id"], row["backfill_id"], row["dag_run_id"], None, row[prefix + "logical_date"],
        None, row["sort_ordinal"], Airflow2DagRunRecord(row, prefix),
    )  # fmt: skip


@lru_cache(maxsize=64)
def slot_reader(fields: tuple[str, ...], prefix: str) -> Callable[[Sequence[Any]], SlotRecord]:
    position = {name: index for index, name in enumerate(fields)}

    def read(row: Sequence[Any]) -> SlotRecord:
        return slot_from_row({name: row[index] for name, index in position.items()}, prefix)

    return read


def _schedule(value: str | None) -> str | None:
    """2.x stores the schedule as JSON (`"@daily"`, a cron string, or a timedelta dict)."""
    if value is None:
        return None
    try:
        decoded = orjson.loads(value)
    except orjson.JSONDecodeError:
        return value
    return decoded if isinstance(decoded, str) else value


class Airflow2DagRecord(DagRecord):
    __slots__ = ()

    def __init__(self, row: Mapping[str, Any]) -> None:
        self.dag_id = row["dag_id"]
        self.display_name = row["dag_display_name"] or row["dag_id"]
        self.is_paused = bool(row["is_paused"])
        self.is_stale = not row["is_active"]
        owners = row["owners"] or ""
        self.owners = [owner.strip() for owner in owners.split(",") if owner.strip()]
        self.description = row["description"]
        self.timetable_summary = _schedule(row["schedule_interval"])
        self.timetable_description = row["timetable_description"]
        self.max_active_runs = row["max_active_runs"]
        self.fileloc = row["fileloc"]
        self.bundle_name = None  # DAG bundles came with Airflow 3
        self.has_import_errors = bool(row["has_import_errors"])
        self.next_dagrun = row["next_dagrun"]
