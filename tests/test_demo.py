"""The demo dataset: determinism, the cases it promises, and loading on every database.

The checks query the SQLite file the way the gateway will (SQL over the tables) and
test properties of each case rather than restating the generator's numbers.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import re
import secrets
import sqlite3
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import create_async_engine

from backfill_gateway.db import tables
from backfill_gateway.db.engine import create_engine
from backfill_gateway.demo import (
    JSON_NULL,
    DemoDataset,
    build_demo_dataset,
    create_demo_database,
    load_demo_dataset,
)
from backfill_gateway.settings import Settings

NOW = datetime(2026, 9, 15, 14, 37, 12, 345678, tzinfo=UTC)
GRACE = timedelta(seconds=Settings.model_fields["orphan_grace_period_seconds"].default)
FINISHED = ("success", "failed")
ACTIVE = ("queued", "running")

CASES = (
    "running", "paused", "completed", "cancelled", "reverse", "orphaned", "initializing",
    "slotless_with_active_run", "reprocess_none", "reprocess_failed", "reprocess_completed",
    "skipped_already_exists", "skipped_in_flight", "large", "reprocessed_runs_moved",
    "partitioned", "null_conf", "is_paused_null", "run_deleted", "hourly", "deleted_dag",
    "stale_dag", "paused_dag",
)
TIMESTAMP_COLUMNS = {
    table.name: [c.name for c in table.columns if c.type.__class__.__name__ == "UtcDateTime"]
    for table in (tables.dag, tables.backfill, tables.dag_run, tables.backfill_dag_run)
}


# --------------------------------------------------------------------------- helpers


@dataclass
class Demo:
    path: Path
    dataset: DemoDataset

    def sql(self, query: str, *params) -> list[sqlite3.Row]:
        return sql(self.path, query, *params)

    def one(self, query: str, *params):
        return self.sql(query, *params)[0][0]

    def case(self, name: str) -> list[int]:
        ids = self.dataset.cases[name]
        assert ids, f"case {name!r} has no backfill"
        return ids


def sql(path: Path, query: str, *params) -> list[sqlite3.Row]:
    # closing(): sqlite3's own context manager commits but leaves the connection open.
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.row_factory = sqlite3.Row
        return conn.execute(query, params).fetchall()


def ts(value: str | None) -> datetime | None:
    """SQLite keeps naive UTC text; read it as UTC."""
    return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Demo:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    dataset = asyncio.run(create_demo_database(path, NOW))
    return Demo(path, dataset)


def owned_states(demo: Demo, backfill_id: int) -> Counter:
    rows = demo.sql("SELECT state FROM dag_run WHERE backfill_id = ?", backfill_id)
    return Counter(row["state"] for row in rows)


def slot_count(demo: Demo, backfill_id: int) -> int:
    return demo.one("SELECT count(*) FROM backfill_dag_run WHERE backfill_id = ?", backfill_id)


def backfill(demo: Demo, backfill_id: int) -> sqlite3.Row:
    return demo.sql("SELECT * FROM backfill WHERE id = ?", backfill_id)[0]


# --------------------------------------------------------------------------- determinism


def test_same_now_gives_identical_rows():
    assert build_demo_dataset(NOW) == build_demo_dataset(NOW)


def test_build_neither_uses_nor_disturbs_global_random():
    random.seed(1)
    first = build_demo_dataset(NOW)
    random.seed(2)
    state = random.getstate()
    assert build_demo_dataset(NOW) == first
    assert random.getstate() == state


def test_naive_now_is_refused():
    with pytest.raises(ValueError):
        build_demo_dataset(NOW.replace(tzinfo=None))


DATE_IN_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\+00:00)?")


def shifted(value, delta: timedelta):
    """`value` as it reads when every date in it moves by `delta` (run ids and keys too)."""
    if isinstance(value, datetime):
        return value + delta
    if isinstance(value, str):
        def shift_match(match: re.Match) -> str:
            moved = datetime.fromisoformat(match.group(0)) + delta
            return moved.isoformat()
        return DATE_IN_TEXT.sub(shift_match, value)
    return value


def without_dates(value):
    if isinstance(value, datetime):
        return "<datetime>"
    if isinstance(value, str):
        return DATE_IN_TEXT.sub("<date>", value)
    return value


def all_rows(dataset: DemoDataset) -> list[tuple[str, list[dict]]]:
    return [(name, getattr(dataset, name))
            for name in ("dags", "backfills", "dag_runs", "backfill_dag_runs")]


def test_shifting_now_by_whole_days_shifts_every_timestamp_and_nothing_else():
    delta = timedelta(days=3)
    before, after = build_demo_dataset(NOW), build_demo_dataset(NOW + delta)
    assert after.cases == before.cases
    for (name, old_rows), (_, new_rows) in zip(all_rows(before), all_rows(after), strict=True):
        expected = [{k: shifted(v, delta) for k, v in row.items()} for row in old_rows]
        assert new_rows == expected, name


def structure(dataset: DemoDataset) -> dict[str, list]:
    """Everything but timestamps and the numbering of dag runs.

    Run ids follow creation time, and runs due at full hours or midnights interleave
    with runs of recent backfills differently at different times of day.
    """
    def plain(row: dict, *drop: str) -> dict:
        return {k: without_dates(v) for k, v in row.items() if k not in drop}

    runs = {row["id"]: plain(row, "id") for row in dataset.dag_runs}
    return {
        "dags": [plain(row) for row in dataset.dags],
        "backfills": [plain(row) for row in dataset.backfills],
        "runs": sorted(map(repr, runs.values())),
        "slots": [(plain(row, "dag_run_id"), runs.get(row["dag_run_id"]))
                  for row in dataset.backfill_dag_runs],
        "cases": sorted(dataset.cases.items()),
    }


@pytest.mark.parametrize("now", [
    datetime(2026, 9, 16, 0, 0, 0, 500, tzinfo=UTC),  # just after midnight
    datetime(2026, 9, 16, 0, 59, 59, tzinfo=UTC),
    datetime(2026, 9, 16, 13, 0, 1, tzinfo=UTC),  # just after a full hour
    datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(2031, 3, 1, 6, 30, tzinfo=UTC),
])
def test_time_of_day_changes_only_timestamps_and_run_numbering(now: datetime):
    dataset = build_demo_dataset(now)
    assert structure(dataset) == structure(build_demo_dataset(NOW))
    # The simulation never runs ahead of `now` (the dag table plans the next run ahead).
    for name, rows in all_rows(dataset):
        for row in rows:
            moments = [v for k, v in row.items() if isinstance(v, datetime)
                       and not k.startswith("next_dagrun")]
            assert max(moments, default=now) <= now, (name, row)


def test_rows_do_not_share_mutable_values():
    dataset = build_demo_dataset(NOW)
    confs = [row["conf"] for row in dataset.dag_runs if isinstance(row["conf"], dict)]
    assert len({id(conf) for conf in confs}) == len(confs)


# --------------------------------------------------------------------------- the file


def test_demo_file_is_wal_and_leaves_no_temporary_file(demo: Demo):
    assert demo.one("PRAGMA journal_mode") == "wal"
    assert not demo.path.with_suffix(".tmp").exists()


def test_recreating_replaces_the_file(tmp_path: Path):
    path = tmp_path / "demo.sqlite"
    asyncio.run(create_demo_database(path, NOW))
    later = NOW + timedelta(days=1)
    dataset = asyncio.run(create_demo_database(path, later))
    newest, count = sql(path, "SELECT max(created_at), count(*) FROM backfill")[0]
    assert ts(newest) > NOW and count == len(dataset.backfills)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.sqlite"]


def test_create_defaults_now_to_the_current_time(tmp_path: Path):
    before = datetime.now(UTC)
    dataset = asyncio.run(create_demo_database(tmp_path / "demo.sqlite"))
    assert before <= dataset.now <= datetime.now(UTC)


def test_foreign_keys_and_integrity_hold(demo: Demo):
    assert demo.sql("PRAGMA foreign_key_check") == []
    assert demo.one("PRAGMA integrity_check") == "ok"


def test_timestamps_fit_mysql_timestamp_range_and_the_past(demo: Demo):
    for table, columns in TIMESTAMP_COLUMNS.items():
        for column in columns:
            low, high = demo.sql(f"SELECT min({column}), max({column}) FROM {table}")[0]
            if low is None:
                continue
            assert ts(low) > datetime(1971, 1, 1, tzinfo=UTC), (table, column)
            assert ts(high) < datetime(2037, 12, 31, tzinfo=UTC), (table, column)
            # Nothing happened after `now` (the dag table plans the next run ahead).
            if table != "dag":
                assert ts(high) <= NOW, (table, column)


def test_dataset_is_modest(demo: Demo):
    assert 20 <= demo.one("SELECT count(*) FROM backfill") <= 40
    assert 2000 <= demo.one("SELECT count(*) FROM backfill_dag_run") <= 4000


def test_rows_in_file_match_the_dataset(demo: Demo):
    for name, rows in all_rows(demo.dataset):
        table = {"dags": "dag", "backfills": "backfill", "dag_runs": "dag_run",
                 "backfill_dag_runs": "backfill_dag_run"}[name]
        assert demo.one(f"SELECT count(*) FROM {table}") == len(rows)


# --------------------------------------------------------------------------- cases


def test_every_case_names_existing_backfills(demo: Demo):
    existing = {row["id"] for row in demo.sql("SELECT id FROM backfill")}
    for name in CASES:
        assert set(demo.case(name)) <= existing, name


def test_running(demo: Demo):
    for backfill_id in demo.case("running"):
        row = backfill(demo, backfill_id)
        assert row["completed_at"] is None and not row["is_paused"]
        assert slot_count(demo, backfill_id) > 0
        assert set(owned_states(demo, backfill_id)) & set(ACTIVE)


def test_paused(demo: Demo):
    for backfill_id in demo.case("paused"):
        row = backfill(demo, backfill_id)
        assert row["is_paused"] == 1 and row["completed_at"] is None
        assert owned_states(demo, backfill_id)["queued"] > 0
        # Pausing stops new starts: nothing started after the pause (updated_at).
        latest_start = demo.one(
            "SELECT max(start_date) FROM dag_run WHERE backfill_id = ? AND state <> 'queued'",
            backfill_id,
        )
        assert ts(latest_start) < ts(row["updated_at"])


def test_completed(demo: Demo):
    for backfill_id in demo.case("completed"):
        row = backfill(demo, backfill_id)
        assert row["completed_at"] is not None and not row["is_paused"]
        assert set(owned_states(demo, backfill_id)) <= set(FINISHED)
        last_end = demo.one(
            "SELECT max(end_date) FROM dag_run WHERE backfill_id = ?", backfill_id
        )
        assert last_end is None or ts(last_end) <= ts(row["completed_at"])


def test_cancelled(demo: Demo):
    for backfill_id in demo.case("cancelled"):
        row = backfill(demo, backfill_id)
        assert row["is_paused"] == 1 and row["completed_at"] is not None
        states = owned_states(demo, backfill_id)
        assert states["queued"] == 0
        # Cancel fails the queued runs with one UPDATE: failed, never started, no end.
        assert demo.one(
            "SELECT count(*) FROM dag_run WHERE backfill_id = ? AND state = 'failed' "
            "AND end_date IS NULL", backfill_id,
        ) > 0
        # Runs already going when it was cancelled go on.
        assert states["running"] > 0


def test_reverse_processes_latest_date_first(demo: Demo):
    for backfill_id in demo.case("reverse"):
        dates = [row[0] for row in demo.sql(
            "SELECT logical_date FROM backfill_dag_run WHERE backfill_id = ? "
            "ORDER BY sort_ordinal", backfill_id)]
        assert dates[0] == max(dates)
        assert dates == sorted(dates, reverse=True)


def test_other_backfills_process_dates_in_order(demo: Demo):
    reverse = set(demo.case("reverse"))
    rows = demo.sql("SELECT backfill_id, logical_date, partition_key FROM backfill_dag_run "
                    "ORDER BY backfill_id, sort_ordinal")
    keys: dict[int, list[str]] = {}
    for row in rows:
        keys.setdefault(row[0], []).append(row[1] or row[2])
    for backfill_id, dates in keys.items():
        if backfill_id not in reverse:
            assert dates == sorted(dates), backfill_id


def test_orphaned(demo: Demo):
    for backfill_id in demo.case("orphaned"):
        row = backfill(demo, backfill_id)
        assert slot_count(demo, backfill_id) == 0 and row["completed_at"] is None
        assert ts(row["created_at"]) < NOW - GRACE
        assert not owned_states(demo, backfill_id)


def test_initializing(demo: Demo):
    for backfill_id in demo.case("initializing"):
        row = backfill(demo, backfill_id)
        assert slot_count(demo, backfill_id) == 0 and row["completed_at"] is None
        assert NOW - timedelta(minutes=1) < ts(row["created_at"]) <= NOW


def test_slotless_backfill_with_an_active_run(demo: Demo):
    for backfill_id in demo.case("slotless_with_active_run"):
        row = backfill(demo, backfill_id)
        assert slot_count(demo, backfill_id) == 0 and row["completed_at"] is None
        # Older than the grace period, so only its active run tells it from an orphan.
        assert ts(row["created_at"]) < NOW - GRACE
        assert set(owned_states(demo, backfill_id)) & set(ACTIVE)


def test_reprocess_behaviors(demo: Demo):
    for behavior in ("none", "failed", "completed"):
        for backfill_id in demo.case(f"reprocess_{behavior}"):
            assert backfill(demo, backfill_id)["reprocess_behavior"] == behavior
    assert {row[0] for row in demo.sql("SELECT DISTINCT reprocess_behavior FROM backfill")} == {
        "none", "failed", "completed"}


def test_reprocessed_runs_moved_to_the_later_backfill(demo: Demo):
    for backfill_id in demo.case("reprocessed_runs_moved"):
        moved = demo.sql(
            "SELECT r.clear_number, r.run_type, r.triggered_by, owner.created_at AS owner_created,"
            " owner.reprocess_behavior, b.created_at AS slot_created "
            "FROM backfill_dag_run s JOIN dag_run r ON r.id = s.dag_run_id "
            "JOIN backfill owner ON owner.id = r.backfill_id "
            "JOIN backfill b ON b.id = s.backfill_id "
            "WHERE s.backfill_id = ? AND r.backfill_id <> s.backfill_id", backfill_id)
        assert moved
        for row in moved:
            assert row["clear_number"] >= 1
            assert row["run_type"] == "backfill" and row["triggered_by"] == "BACKFILL"
            assert row["reprocess_behavior"] in ("failed", "completed")
            assert ts(row["owner_created"]) > ts(row["slot_created"])
    # The new owner has a slot of its own for every run it took over.
    assert demo.sql(
        "SELECT r.id FROM dag_run r WHERE r.backfill_id IS NOT NULL AND NOT EXISTS ("
        " SELECT 1 FROM backfill_dag_run s WHERE s.dag_run_id = r.id"
        " AND s.backfill_id = r.backfill_id) AND r.backfill_id NOT IN "
        f"({','.join(map(str, demo.case('slotless_with_active_run')))})") == []


def test_a_reused_run_can_have_been_scheduled(demo: Demo):
    # Reprocessing takes over scheduled runs too: the run id keeps its origin.
    rows = demo.sql("SELECT run_type, clear_number FROM dag_run WHERE run_id LIKE 'scheduled__%' "
                    "AND backfill_id IS NOT NULL")
    assert rows and all(r["run_type"] == "backfill" and r["clear_number"] >= 1 for r in rows)


def test_skipped_slots_have_no_run_and_a_known_reason(demo: Demo):
    reasons = demo.sql("SELECT DISTINCT exception_reason FROM backfill_dag_run "
                       "WHERE exception_reason IS NOT NULL")
    assert {row[0] for row in reasons} == {"already exists", "in flight"}
    assert demo.one("SELECT count(*) FROM backfill_dag_run "
                    "WHERE exception_reason IS NOT NULL AND dag_run_id IS NOT NULL") == 0


def skipped_slots_with_existing_run(demo: Demo, reason: str, backfill_id: int):
    """Each skipped slot with the run that made Airflow skip it (same date or partition)."""
    return demo.sql(
        "SELECT s.id, r.state, r.created_at AS run_created, r.end_date, b.created_at "
        "FROM backfill_dag_run s JOIN backfill b ON b.id = s.backfill_id "
        "LEFT JOIN dag_run r ON r.dag_id = b.dag_id AND ("
        " r.logical_date = s.logical_date OR r.partition_key = s.partition_key) "
        "WHERE s.backfill_id = ? AND s.exception_reason = ?", backfill_id, reason)


def test_already_exists_slots_point_at_an_earlier_run(demo: Demo):
    for backfill_id in demo.case("skipped_already_exists"):
        rows = skipped_slots_with_existing_run(demo, "already exists", backfill_id)
        assert rows
        for row in rows:
            assert row["run_created"] is not None, row["id"]
            assert ts(row["run_created"]) < ts(row["created_at"])


def test_in_flight_slots_met_an_unfinished_run(demo: Demo):
    for backfill_id in demo.case("skipped_in_flight"):
        rows = skipped_slots_with_existing_run(demo, "in flight", backfill_id)
        assert rows
        for row in rows:
            assert ts(row["run_created"]) < ts(row["created_at"])
            ended = ts(row["end_date"])
            assert ended is None or ended > ts(row["created_at"])
    # One of them is a scheduled run, another one a cancelled backfill's leftover.
    kinds = demo.sql(
        "SELECT DISTINCT r.run_type FROM backfill_dag_run s JOIN backfill b ON b.id = s.backfill_id"
        " JOIN dag_run r ON r.dag_id = b.dag_id AND r.logical_date = s.logical_date"
        " WHERE s.exception_reason = 'in flight'")
    assert {row[0] for row in kinds} == {"scheduled", "backfill"}


def test_slot_whose_run_was_deleted(demo: Demo):
    for backfill_id in demo.case("run_deleted"):
        rows = demo.sql(
            "SELECT s.logical_date, b.dag_id FROM backfill_dag_run s "
            "JOIN backfill b ON b.id = s.backfill_id WHERE s.backfill_id = ? "
            "AND s.dag_run_id IS NULL AND s.exception_reason IS NULL", backfill_id)
        assert rows
        for row in rows:
            assert demo.one("SELECT count(*) FROM dag_run WHERE dag_id = ? AND logical_date = ?",
                            row["dag_id"], row["logical_date"]) == 0


def test_large_backfill(demo: Demo):
    for backfill_id in demo.case("large"):
        slots = slot_count(demo, backfill_id)
        assert slots >= 1000
        skipped = demo.one("SELECT count(*) FROM backfill_dag_run WHERE backfill_id = ? "
                           "AND exception_reason IS NOT NULL", backfill_id)
        assert 0.05 <= skipped / slots <= 0.2
        assert set(owned_states(demo, backfill_id)) == {"queued", "running", "success", "failed"}


def test_partitioned(demo: Demo):
    for backfill_id in demo.case("partitioned"):
        rows = demo.sql(
            "SELECT s.logical_date, s.partition_key, r.logical_date AS run_date,"
            " r.partition_key AS run_key, r.partition_date, r.data_interval_start "
            "FROM backfill_dag_run s LEFT JOIN dag_run r ON r.id = s.dag_run_id "
            "WHERE s.backfill_id = ?", backfill_id)
        assert rows
        for row in rows:
            assert row["logical_date"] is None and row["partition_key"]
            if row["run_key"] is not None:
                assert row["run_key"] == row["partition_key"]
                assert row["run_date"] is None and row["data_interval_start"] is None
                assert row["partition_date"] is not None
        dag = demo.sql("SELECT d.timetable_partitioned FROM dag d JOIN backfill b "
                       "ON b.dag_id = d.dag_id WHERE b.id = ?", backfill_id)
        assert dag[0][0] == 1


def test_dag_run_conf_of_backfills(demo: Demo):
    null_conf = set(demo.case("null_conf"))
    for row in demo.sql("SELECT id, json_type(dag_run_conf) AS kind FROM backfill"):
        assert row["kind"] == ("null" if row["id"] in null_conf else "object"), row["id"]
    assert demo.one("SELECT count(*) FROM backfill WHERE dag_run_conf <> '{}' "
                    "AND json_type(dag_run_conf) = 'object'") > 0


def test_is_paused_null_on_active_backfills(demo: Demo):
    for backfill_id in demo.case("is_paused_null"):
        row = backfill(demo, backfill_id)
        assert row["is_paused"] is None and row["completed_at"] is None


def test_hourly(demo: Demo):
    for backfill_id in demo.case("hourly"):
        summary = demo.one("SELECT d.timetable_summary FROM dag d JOIN backfill b "
                           "ON b.dag_id = d.dag_id WHERE b.id = ?", backfill_id)
        assert summary == "0 * * * *"
        dates = [ts(row[0]) for row in demo.sql(
            "SELECT logical_date FROM backfill_dag_run WHERE backfill_id = ? "
            "ORDER BY sort_ordinal", backfill_id)]
        assert {b - a for a, b in zip(dates, dates[1:], strict=False)} == {timedelta(hours=1)}


def test_only_one_active_backfill_per_dag(demo: Demo):
    # Airflow refuses a second active backfill for a DAG.
    assert demo.sql("SELECT dag_id FROM backfill WHERE completed_at IS NULL "
                    "GROUP BY dag_id HAVING count(*) > 1") == []


def test_backfill_ids_follow_creation(demo: Demo):
    created = [row[0] for row in demo.sql("SELECT created_at FROM backfill ORDER BY id")]
    assert created == sorted(created)


def test_slot_ordinals_run_from_one_without_gaps(demo: Demo):
    rows = demo.sql("SELECT backfill_id, min(sort_ordinal), max(sort_ordinal), count(*) "
                    "FROM backfill_dag_run GROUP BY backfill_id")
    for backfill_id, low, high, count in rows:
        assert (low, high) == (1, count), backfill_id


def test_backfill_date_range_covers_its_slots(demo: Demo):
    rows = demo.sql(
        "SELECT b.id, b.from_date, b.to_date, min(coalesce(s.logical_date,"
        " r.partition_date)) AS first, max(coalesce(s.logical_date, r.partition_date)) AS last "
        "FROM backfill b JOIN backfill_dag_run s ON s.backfill_id = b.id "
        "LEFT JOIN dag_run r ON r.id = s.dag_run_id GROUP BY b.id")
    for row in rows:
        assert row["from_date"] <= row["first"] and row["last"] <= row["to_date"], row["id"]


# --------------------------------------------------------------------------- DAGs


def test_dags(demo: Demo):
    dags = {row["dag_id"]: row for row in demo.sql("SELECT * FROM dag")}
    assert any(row["is_paused"] for row in dags.values())
    assert any(row["is_stale"] for row in dags.values())
    assert {row["timetable_summary"] for row in dags.values()} >= {"@daily", "0 * * * *"}
    assert {row["bundle_name"] for row in dags.values()} == {"dags-folder"}
    for row in dags.values():
        assert row["dag_display_name"] and row["owners"] and row["fileloc"]
        assert json.loads(row["partition_mapper_info"]) == {}
        assert row["timetable_type"].startswith("airflow.timetables.")
    for name, flag in (("paused_dag", "is_paused"), ("stale_dag", "is_stale")):
        for backfill_id in demo.case(name):
            assert dags[backfill(demo, backfill_id)["dag_id"]][flag] == 1
    for backfill_id in demo.case("deleted_dag"):
        assert backfill(demo, backfill_id)["dag_id"] not in dags


# --------------------------------------------------------------------------- dag runs


def test_dag_runs_in_all_four_states(demo: Demo):
    states = {row[0] for row in demo.sql("SELECT DISTINCT state FROM dag_run")}
    assert states == {"queued", "running", "success", "failed"}


def test_dag_run_timestamps_are_consistent(demo: Demo):
    cancelled = set(demo.case("cancelled"))
    for row in demo.sql("SELECT * FROM dag_run"):
        queued, start, end = ts(row["queued_at"]), ts(row["start_date"]), ts(row["end_date"])
        created, updated = ts(row["created_at"]), ts(row["updated_at"])
        assert created <= queued <= updated, row["id"]
        if row["state"] in ACTIVE:
            assert end is None, row["id"]
        if row["state"] == "running":
            assert queued <= start <= updated, row["id"]
        if row["state"] == "queued":
            # Airflow stamps start_date when it creates a backfill run; a clear empties it.
            assert start is None or start <= queued, row["id"]
        if end is not None:
            assert row["state"] in FINISHED and queued <= start <= end <= updated, row["id"]
        elif row["state"] in FINISHED:
            # Only Airflow's cancel fails runs without an end (a bulk UPDATE).
            assert row["state"] == "failed", row["id"]
            slot_owners = {r[0] for r in demo.sql(
                "SELECT backfill_id FROM backfill_dag_run WHERE dag_run_id = ?", row["id"])}
            assert slot_owners & cancelled, row["id"]
        if row["logical_date"] is not None:
            assert row["data_interval_start"] == row["logical_date"]
            assert row["run_after"] == row["data_interval_end"] > row["logical_date"]


def test_dag_run_kinds(demo: Demo):
    for row in demo.sql("SELECT * FROM dag_run"):
        origin = row["run_id"].split("__", 1)[0]
        assert origin in ("backfill", "scheduled"), row["run_id"]
        if row["backfill_id"] is None:
            assert (row["run_type"], row["triggered_by"]) == ("scheduled", "TIMETABLE")
        else:
            assert (row["run_type"], row["triggered_by"]) == ("backfill", "BACKFILL")
        if origin == "backfill":
            assert row["backfill_id"] is not None
        if row["logical_date"] is not None:
            assert row["run_id"] == f"{origin}__{ts(row['logical_date']).isoformat()}"
        else:
            assert row["partition_key"] in row["run_id"]
        assert row["span_status"] == ("ended" if row["end_date"] else "not_started")


def test_dag_run_conf_variants(demo: Demo):
    kinds = Counter(
        "SQL NULL" if row[0] is None else row[1]
        for row in demo.sql("SELECT conf, json_type(conf) FROM dag_run")
    )
    assert set(kinds) == {"object", "null", "SQL NULL"}


def test_dataset_marks_json_null_apart_from_sql_null(demo: Demo):
    confs = [row["conf"] for row in demo.dataset.dag_runs]
    assert any(conf is JSON_NULL for conf in confs) and any(conf is None for conf in confs)
    assert demo.one("SELECT count(*) FROM dag_run WHERE conf IS NULL") == sum(
        conf is None for conf in confs)


# --------------------------------------------------------------------------- servers


def timestamp_values(rows, table: str) -> list[tuple]:
    return [tuple(row[c] for c in TIMESTAMP_COLUMNS[table]) for row in rows]


async def check_loaded(engine, dataset: DemoDataset) -> None:
    """Counts, SQL NULL vs JSON null, exact timestamps, and room for new ids."""
    async with engine.connect() as conn:
        for name, rows in all_rows(dataset):
            table = {"dags": tables.dag, "backfills": tables.backfill,
                     "dag_runs": tables.dag_run, "backfill_dag_runs": tables.backfill_dag_run}[name]
            assert await conn.scalar(select(func.count()).select_from(table)) == len(rows), name
        sql_nulls = await conn.scalar(
            select(func.count()).select_from(tables.dag_run).where(tables.dag_run.c.conf.is_(None)))
        assert sql_nulls == sum(row["conf"] is None for row in dataset.dag_runs)
        runs = (await conn.execute(select(tables.dag_run).order_by(tables.dag_run.c.id))).mappings()
        assert timestamp_values(runs.all(), "dag_run") == timestamp_values(
            dataset.dag_runs, "dag_run")
    async with engine.begin() as conn:
        # Tests insert backfills without ids later: those must not collide.
        result = await conn.execute(insert(tables.backfill).values(
            dag_id="sales_daily_etl", from_date=NOW, to_date=NOW, dag_run_conf={},
            reprocess_behavior="none", max_active_runs=1, created_at=NOW, updated_at=NOW,
        ))
        inserted = result.inserted_primary_key[0]
        assert inserted > max(row["id"] for row in dataset.backfills)


def test_loaded_sqlite_file_reads_back_exactly(demo: Demo, tmp_path: Path):
    copy = tmp_path / "copy.sqlite"
    copy.write_bytes(demo.path.read_bytes())

    async def run() -> None:
        engine = create_engine(f"sqlite+aiosqlite:///{copy}")
        try:
            await check_loaded(engine, demo.dataset)
        finally:
            await engine.dispose()

    asyncio.run(run())


SERVERS = {
    "postgresql": ("postgresql+asyncpg://postgres@127.0.0.1:5432", "postgres",
                   {"timeout": 3}),
    "mariadb": ("mysql+aiomysql://root@127.0.0.1:3306", "", {"connect_timeout": 3}),
}


async def reachable(base_url: str, admin_db: str, connect_args: dict) -> str | None:
    engine = create_async_engine(f"{base_url}/{admin_db}", connect_args=connect_args)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return None
    except Exception as exc:  # any failure to connect means: skip
        return f"{type(exc).__name__}: {exc}"
    finally:
        await engine.dispose()


async def load_on_fresh_database(base_url: str, admin_db: str, connect_args: dict,
                                 dataset: DemoDataset) -> None:
    name = f"demo_test_{secrets.token_hex(6)}"  # unique: others share these servers
    admin = create_async_engine(f"{base_url}/{admin_db}", connect_args=connect_args,
                                isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f"CREATE DATABASE {name}"))
        engine = create_engine(f"{base_url}/{name}")
        try:
            async with engine.begin() as conn:
                await conn.run_sync(tables.metadata.create_all)
            await load_demo_dataset(engine, dataset)
            await check_loaded(engine, dataset)
        finally:
            await engine.dispose()
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        await admin.dispose()


@pytest.mark.parametrize("server", sorted(SERVERS))
def test_loads_on_server(server: str):
    base_url, admin_db, connect_args = SERVERS[server]
    problem = asyncio.run(reachable(base_url, admin_db, connect_args))
    if problem:
        pytest.skip(f"{server} not reachable at {base_url}: {problem}")
    asyncio.run(load_on_fresh_database(base_url, admin_db, connect_args,
                                       build_demo_dataset(NOW)))
