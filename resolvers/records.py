"""The objects resolvers hand to the schema: one per row, plain attributes.

GraphQL fields read these attributes directly, so every derived value
(global id, status, skipped flag, duration) is computed here once, in
Python, from the row the SQL returned.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from operator import itemgetter
from typing import Any

import orjson
from sqlalchemy.engine import Row

from backfill_gateway.db.backfill_nodes import JSON_VALUE, PIECE_PREFIX, WRITABLE
from backfill_gateway.db.backfill_status import backfill_status
from backfill_gateway.db.rows import fields_of
from backfill_gateway.db.slots import SLOT_COLUMNS
from backfill_gateway.db.task_states import COUNT_LABELS
from backfill_gateway.resolvers.global_ids import BACKFILL, DAG, DAG_RUN, SLOT, encode_global_id

# Values Airflow writes to backfill_dag_run.exception_reason; `unknown` is declared but unused.
KNOWN_EXCEPTION_REASONS = frozenset({"already exists", "in flight", "unknown"})


# The columns a BackfillRecord is made of, in the order BackfillRecord._assign takes them.
BACKFILL_FIELDS = (
    "id", "dag_id", "from_date", "to_date", "dag_run_conf", "is_paused", "reprocess_behavior",
    "max_active_runs", "created_at", "completed_at", "updated_at", "triggering_user_name",
    "has_slots", "has_active_runs",
)  # fmt: skip
_backfill_values_by_name = itemgetter(*BACKFILL_FIELDS)


@lru_cache(maxsize=64)
def _backfill_values_by_position(
    fields: tuple[str, ...], prefix: str = ""
) -> Callable[[Sequence[Any]], tuple]:
    return itemgetter(*(fields.index(prefix + name) for name in BACKFILL_FIELDS))


class BackfillRecord:
    __slots__ = (
        "backfill_id", "dag_id", "from_date", "to_date", "dag_run_conf", "is_paused",
        "reprocess_behavior", "max_active_runs", "created_at", "completed_at", "updated_at",
        "triggering_user_name", "has_slots", "has_active_runs", "status",
    )  # fmt: skip
    # Only Airflow 2 backfills (BackfillJob rows, resolvers.airflow2.records) set these.
    range_source = "BACKFILL_TABLE"
    run_backwards = reset_dag_runs = rerun_failed_tasks = None
    latest_heartbeat = hostname = None

    def __init__(self, row: Mapping[str, Any], orphan_cutoff: datetime) -> None:
        self._assign(_backfill_values_by_name(row), orphan_cutoff)

    @classmethod
    def from_rows(cls, rows: Sequence[Row], orphan_cutoff: datetime) -> list[BackfillRecord]:
        """The records of a listing's rows, read by position (a Row's name lookups cost
        more than the record: ~1.5 us a row); rows without an id (a page's boundary flags
        alone) are skipped."""
        if not rows:
            return []
        fields = fields_of(rows[0])
        values_of = _backfill_values_by_position(fields)
        id_at = fields.index("id")
        new = object.__new__
        records = []
        for row in rows:
            if row[id_at] is not None:
                record = new(cls)
                record._assign(values_of(row), orphan_cutoff)
                records.append(record)
        return records

    @classmethod
    def by_parent_id(
        cls, rows: Sequence[Row], orphan_cutoff: datetime, prefix: str
    ) -> dict[int, BackfillRecord]:
        """The backfills of a page statement that read them with its pages (each backfill's
        columns `prefix`ed, on the first row of its page), by id."""
        if not rows:
            return {}
        fields = fields_of(rows[0])
        values_of = _backfill_values_by_position(fields, prefix)
        id_at = fields.index(prefix + "id")
        new = object.__new__
        records: dict[int, BackfillRecord] = {}
        for row in rows:
            if row[id_at] not in records:
                record = records[row[id_at]] = new(cls)
                record._assign(values_of(row), orphan_cutoff)
        return records

    def _assign(self, values: tuple, orphan_cutoff: datetime) -> None:
        (
            self.backfill_id, self.dag_id, self.from_date, self.to_date, self.dag_run_conf,
            is_paused, self.reprocess_behavior, self.max_active_runs, self.created_at,
            self.completed_at, self.updated_at, self.triggering_user_name, has_slots,
            has_active_runs,
        ) = values  # fmt: skip
        self.is_paused = bool(is_paused)  # NULL means not paused
        if has_slots is None:  # a listing that read no status (its request selects none)
            self.has_slots = self.has_active_runs = self.status = None
            return
        self.has_slots = bool(has_slots)
        self.has_active_runs = bool(has_active_runs)
        self.status = backfill_status(
            completed_at=self.completed_at,
            is_paused=self.is_paused,
            has_slots=self.has_slots,
            has_active_runs=self.has_active_runs,
            created_at=self.created_at,
            orphan_cutoff=orphan_cutoff,
        )

    @property
    def id(self) -> str:
        return encode_global_id(BACKFILL, self.backfill_id)


class BackfillIdOnly(BackfillRecord):
    """A backfill known to exist, and to be in the caller's scope, by its id alone: for a
    request that selects nothing of its row (`backfill(id) { dagRuns }`). Every other
    attribute is unset, so a field reading one fails loudly instead of answering null; it is
    never primed where another field could read it."""

    __slots__ = ()

    def __init__(self, backfill_id: int) -> None:
        self.backfill_id = backfill_id

    @classmethod
    def by_parent_id(cls, rows: Sequence[Row], prefix: str) -> dict[int, BackfillIdOnly]:
        """The backfills a page statement has a parent row for, by id."""
        if not rows:
            return {}
        id_at = fields_of(rows[0]).index(prefix + "id")
        return {row[id_at]: cls(row[id_at]) for row in rows}


class SerializedBackfill:
    """A backfill of a listing whose node PostgreSQL wrote (db.backfill_nodes): `json`,
    an orjson.Fragment, goes into the response as it is. The id and creation time make
    its cursor; nothing else is read, so it is never primed as a record."""

    __slots__ = ("backfill_id", "created_at", "json")

    @classmethod
    def from_rows(cls, rows: Sequence[Row], pieces: int) -> list[SerializedBackfill] | None:
        """The nodes of a page's rows (rows without an id, a page's boundary flags alone,
        are skipped); None when the database could not write a node (not WRITABLE)."""
        if not rows:
            return []
        fields = fields_of(rows[0])
        id_at, created_at = fields.index("id"), fields.index("created_at")
        writable_at, first = fields.index(WRITABLE), fields.index(f"{PIECE_PREFIX}0")
        value_at = fields.index(JSON_VALUE) if pieces > 1 else None
        new, fragment, dumps = object.__new__, orjson.Fragment, orjson.dumps
        nodes = []
        for row in rows:
            if row[id_at] is None:
                continue
            if not row[writable_at]:
                return None
            text = row[first]
            if value_at is not None:
                # The pieces surround the JSON column's value, which orjson writes.
                text = dumps(row[value_at]).decode().join(row[first : first + pieces])
            node = new(cls)
            node.backfill_id, node.created_at, node.json = row[id_at], row[created_at], fragment(text)
            nodes.append(node)
        return nodes


class DagRunRecord:
    __slots__ = (
        "dag_run_id", "dag_id", "run_id", "state", "run_type", "triggered_by",
        "triggering_user_name", "logical_date", "run_after", "queued_at", "start_date",
        "end_date", "data_interval_start", "data_interval_end", "conf", "clear_number",
        "backfill_id", "partition_key", "partition_date", "created_at", "updated_at",
    )  # fmt: skip
    # Only Airflow 2's pickled confs can be unreadable (resolvers.airflow2.records).
    conf_unreadable = False

    def __init__(self, row: Mapping[str, Any], prefix: str = "") -> None:
        for name in self.__slots__:
            setattr(self, name, row[prefix + name])

    @property
    def id(self) -> str:
        return encode_global_id(DAG_RUN, self.dag_run_id)

    @property
    def duration(self) -> float | None:
        if self.start_date is None or self.end_date is None:
            return None
        return (self.end_date - self.start_date).total_seconds()


class SlotRecord:
    """One `backfill_dag_run` row: a date slot of a backfill, ran or skipped."""

    __slots__ = (
        "backfill_dag_run_id", "backfill_id", "dag_run_id", "exception_reason", "logical_date",
        "partition_key", "sort_ordinal", "is_skipped", "dag_run",
    )  # fmt: skip

    def __init__(
        self,
        backfill_dag_run_id: int,
        backfill_id: int,
        dag_run_id: int | None,
        exception_reason: str | None,
        logical_date: datetime | None,
        partition_key: str | None,
        sort_ordinal: int,
        dag_run: DagRunRecord | None,
    ) -> None:
        self.backfill_dag_run_id = backfill_dag_run_id
        self.backfill_id = backfill_id
        self.dag_run_id = dag_run_id
        reason = exception_reason
        if reason is not None and reason not in KNOWN_EXCEPTION_REASONS:
            reason = "unknown"
        self.exception_reason = reason
        self.logical_date = logical_date
        self.partition_key = partition_key
        self.sort_ordinal = sort_ordinal
        self.is_skipped = reason is not None
        self.dag_run = dag_run

    @property
    def id(self) -> str:
        return encode_global_id(SLOT, self.backfill_dag_run_id)


class DagRecord:
    __slots__ = (
        "dag_id", "display_name", "is_paused", "is_stale", "owners", "description",
        "timetable_summary", "timetable_description", "max_active_runs", "fileloc",
        "bundle_name", "has_import_errors", "next_dagrun",
    )  # fmt: skip

    def __init__(self, row: Mapping[str, Any]) -> None:
        self.dag_id = row["dag_id"]
        # Airflow shows the dag_id where no display name was set.
        self.display_name = row["dag_display_name"] or row["dag_id"]
        # NULL before Airflow 3.2 (nullable columns): unknown, not false.
        self.is_paused = None if row["is_paused"] is None else bool(row["is_paused"])
        self.is_stale = None if row["is_stale"] is None else bool(row["is_stale"])
        owners = row["owners"] or ""
        self.owners = [owner.strip() for owner in owners.split(",") if owner.strip()]
        self.description = row["description"]
        self.timetable_summary = row["timetable_summary"]
        self.timetable_description = row["timetable_description"]
        self.max_active_runs = row["max_active_runs"]
        self.fileloc = row["fileloc"]
        self.bundle_name = row["bundle_name"]
        self.has_import_errors = bool(row["has_import_errors"])
        self.next_dagrun = row["next_dagrun"]

    @property
    def id(self) -> str:
        return encode_global_id(DAG, self.dag_id)


@lru_cache(maxsize=256)
def slot_reader(fields: tuple[str, ...], run_prefix: str) -> Callable[[Sequence[Any]], SlotRecord]:
    """A function building a SlotRecord, with its DagRunRecord, from a row by position.

    Generated once per result shape (`fields`, the row's column names): a page of
    a thousand slots is read without a name lookup per value. Run columns carry
    `run_prefix`; only those present are set on the DagRunRecord, so reading an
    attribute the query did not fetch raises AttributeError (loud, never a None).
    """
    position = {name: index for index, name in enumerate(fields)}
    run_columns = [name for name in fields if name.startswith(run_prefix)]
    lines = [
        "def read(row):",
        f"    if row[{position[run_prefix + 'dag_run_id']}] is None:",
        "        run = None",
        "    else:",
        "        run = new(DagRunRecord)",
        *(f"        run.{name[len(run_prefix) :]} = row[{position[name]}]" for name in run_columns),
        "    return SlotRecord("
        + ", ".join(f"row[{position[name]}]" for name in SLOT_COLUMNS)
        + ", run)",
    ]
    namespace = {"new": object.__new__, "DagRunRecord": DagRunRecord, "SlotRecord": SlotRecord}
    exec("\n".join(lines), namespace)  # noqa: S102 - generated from column names we selected
    return namespace["read"]


def slot_from_mapping(row: Mapping[str, Any], run_prefix: str) -> SlotRecord:
    """A SlotRecord from a row read by name (lookups by id)."""
    has_run = row[run_prefix + "dag_run_id"] is not None
    run = DagRunRecord(row, run_prefix) if has_run else None
    return SlotRecord(*(row[name] for name in SLOT_COLUMNS), run)


class TaskCounts:
    """Task instances counted by state (db.task_states labels), every map index one each."""

    __slots__ = COUNT_LABELS

    def __init__(self, row: Mapping[str, Any] | None = None) -> None:
        for name in COUNT_LABELS:
            # SUM is a Decimal on some databases: counts are plain ints.
            setattr(self, name, 0 if row is None else int(row[name]))


NO_TASKS = TaskCounts()
