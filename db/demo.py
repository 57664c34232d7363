"""The embedded demo dataset: realistic Airflow 3.3 backfill data, built deterministically.

The same rows serve two purposes: the SQLite file a newcomer explores in GraphiQL, and
the shared fixture data of the test suite on SQLite, PostgreSQL and MariaDB.

The data is not drawn at random row by row. A small simulation replays what Airflow
does (see tests/airflow_ddl/NOTES.md): the scheduler creates `scheduled` runs, users
create backfills one after another, and each backfill walks its dates in order and
creates a run, reuses (clears and takes over) an existing one, or records a skipped
slot, exactly as `airflow.models.backfill` decides. Runs then progress in waves of
`max_active_runs`; the scheduler completes a backfill once it owns no queued or
running run; cancel and pause behave as in Airflow. Every row is therefore
consistent with every other one, and each interesting case arises the way it would
in a real deployment.

Timestamps are relative to `now`: logical dates to `now` floored to the day or the
hour, the recent events (creations, pauses, cancels) to `now` itself. Shifting `now`
by whole days shifts every timestamp by the same amount and changes nothing else; any
other shift may also renumber dag runs (their ids follow creation time, and runs due at
full hours interleave differently with the recent backfills' runs).

JSON columns: `None` in a row stands for SQL NULL and `JSON_NULL` for the JSON value
`null` (Airflow's `backfill.dag_run_conf` is NOT NULL but may hold `null`).
"""

from __future__ import annotations

import copy
import math
import os
import random
import string
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Table, insert, null, text
from sqlalchemy.ext.asyncio import AsyncEngine

from backfill_gateway.db import tables
from backfill_gateway.db.engine import create_engine

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
    cases: dict[str, list[int]]


# --------------------------------------------------------------------------- time


def _floor_day(t: datetime) -> datetime:
    return t.replace(hour=0, minute=0, second=0, microsecond=0)


def _floor_hour(t: datetime) -> datetime:
    return t.replace(minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class _Clock:
    """Anchors every demo timestamp to `now`."""

    now: datetime

    def day(self, days_ago: int) -> datetime:
        """Midnight `days_ago` days before today."""
        return _floor_day(self.now) - timedelta(days=days_ago)

    def hour(self, hours_ago: int) -> datetime:
        """The full hour `hours_ago` hours before the current one."""
        return _floor_hour(self.now) - timedelta(hours=hours_ago)

    def ago(self, **delta: float) -> datetime:
        return self.now - timedelta(**delta)


def _seconds(rng: random.Random, low: float, high: float) -> timedelta:
    # Whole microseconds, so values survive every database unchanged.
    return timedelta(microseconds=rng.randrange(int(low * 1e6), int(high * 1e6)))


# --------------------------------------------------------------------------- DAGs


@dataclass(frozen=True)
class _Cadence:
    interval: timedelta
    timetable_type: str
    summary: str
    description: str
    partitioned: bool = False
    run_minutes: tuple[float, float] = (4, 40)  # how long a run of this DAG takes


DAILY = _Cadence(
    timedelta(days=1), "airflow.timetables.interval.CronDataIntervalTimetable", "@daily", "At 00:00"
)
HOURLY = _Cadence(
    timedelta(hours=1),
    "airflow.timetables.interval.CronDataIntervalTimetable",
    "0 * * * *",
    "Every hour",
    run_minutes=(1, 8),
)
DAILY_PARTITIONS = _Cadence(
    timedelta(days=1),
    "airflow.timetables.trigger.CronPartitionTimetable",
    "0 0 * * *",
    "At 00:00",
    partitioned=True,
)


@dataclass(frozen=True)
class _DagSpec:
    dag_id: str
    display_name: str
    description: str
    owners: str
    relative_fileloc: str
    cadence: _Cadence
    # Scheduled runs exist for these periods, counted back from today (or this hour).
    scheduled_oldest: int
    scheduled_newest: int
    # States of the newest scheduled runs that have not finished, newest first.
    in_flight: tuple[str, ...] = ()
    is_paused: bool = False
    is_stale: bool = False
    deleted: bool = False  # the backfill outlived the DAG's row in `dag`
    max_active_runs: int = 16
    # Runs written by an older Airflow that left `conf` SQL NULL.
    conf_sql_null: bool = False


def _dag_specs() -> list[_DagSpec]:
    return [
        _DagSpec("sales_daily_etl", "Daily sales ETL",
                 "Loads the day's orders from the shop database into the warehouse.",
                 "data-eng, airflow", "sales/daily_sales_etl.py", DAILY, 90, 2),
        _DagSpec("web_events_hourly", "Hourly web events rollup",
                 "Rolls raw click events up into hourly page statistics.",
                 "analytics", "web/web_events_hourly.py", HOURLY, 72, 2),
        _DagSpec("inventory_snapshot", "Inventory snapshot",
                 "Snapshots stock levels of every warehouse at midnight.",
                 "supply-chain", "supply/inventory_snapshot.py", DAILY, 60, 22,
                 is_paused=True),
        _DagSpec("legacy_crm_sync", "Legacy CRM sync",
                 "Copies accounts from the retired CRM. The file was removed in the spring.",
                 "crm-team", "crm/legacy_crm_sync.py", DAILY, 170, 100,
                 is_stale=True, conf_sql_null=True),
        _DagSpec("marketing_attribution", "Marketing attribution",
                 "Attributes orders to campaigns with the last-touch model.",
                 "marketing-analytics, airflow", "marketing/attribution.py", DAILY, 40, 2),
        _DagSpec("finance_ledger_close", "Finance ledger close",
                 "Closes the general ledger for the day.",
                 "finance-data", "finance/ledger_close.py", DAILY, 60, 2, max_active_runs=1),
        _DagSpec("warehouse_partitions", "Warehouse partition load",
                 "Loads one warehouse partition per day.",
                 "data-platform", "platform/warehouse_partitions.py", DAILY_PARTITIONS, 20, 1),
        _DagSpec("ml_feature_refresh", "ML feature refresh",
                 "Recomputes the daily feature store tables.",
                 "ml-platform", "ml/feature_refresh.py", DAILY, 30, 2),
        _DagSpec("clickstream_sessionize", "Clickstream sessionization",
                 "Groups click events into sessions, hour by hour.",
                 "analytics", "web/clickstream_sessionize.py", HOURLY, 48, 2,
                 in_flight=(QUEUED, RUNNING), max_active_runs=2),
        _DagSpec("payments_reconciliation", "Payments reconciliation",
                 "Matches payment provider settlements against orders.",
                 "finance-data, airflow", "finance/payments_reconciliation.py", DAILY, 30, 2),
        _DagSpec("email_campaign_stats", "Email campaign stats",
                 "Aggregates opens and clicks per email campaign.",
                 "marketing-analytics", "marketing/email_campaign_stats.py", DAILY, 45, 2),
        _DagSpec("partner_feed_export", "Partner feed export",
                 "Exports the product feed for marketplace partners.",
                 "integrations", "integrations/partner_feed_export.py", DAILY, 25, 2),
        _DagSpec("ads_spend_import", "Ads spend import",
                 "Imports ad spend from the advertising platforms.",
                 "marketing-analytics", "marketing/ads_spend_import.py", DAILY, 30, 2),
        _DagSpec("customer_churn_model", "Customer churn model",
                 "Scores customers for churn risk.",
                 "ml-platform", "ml/customer_churn_model.py", DAILY, 0, 0, deleted=True),
    ]


def _anchor(dag: _DagSpec, clock: _Clock, periods_ago: int) -> datetime:
    if dag.cadence is HOURLY:
        return clock.hour(periods_ago)
    return clock.day(periods_ago)


def _dag_row(dag: _DagSpec, clock: _Clock, rng: random.Random) -> dict[str, Any]:
    cadence = dag.cadence
    next_date = _anchor(dag, clock, dag.scheduled_newest - 1)
    if dag.is_stale:
        last_parsed = clock.day(95) + _seconds(rng, 3600, 7200)
    else:
        last_parsed = clock.ago(seconds=rng.uniform(5, 90))
    # The scheduler stops planning runs while a DAG sits at max_active_runs.
    create_after = None if dag.in_flight else next_date + cadence.interval
    return {
        "dag_id": dag.dag_id,
        "is_paused": dag.is_paused,
        "is_stale": dag.is_stale,
        "exceeds_max_non_backfill": False,
        "last_parsed_time": last_parsed,
        "last_parse_duration": round(rng.uniform(0.05, 2.5), 3),
        "last_expired": None,
        "fileloc": f"{DAGS_FOLDER}/{dag.relative_fileloc}",
        "relative_fileloc": dag.relative_fileloc,
        "bundle_name": "dags-folder",
        "bundle_version": None,
        "owners": dag.owners,
        "dag_display_name": dag.display_name,
        "description": dag.description,
        "timetable_type": cadence.timetable_type,
        "timetable_summary": cadence.summary,
        "timetable_description": cadence.description,
        "timetable_partitioned": cadence.partitioned,
        "timetable_periodic": True,
        "partition_mapper_info": {},
        "asset_expression": None,
        "deadline": None,
        "max_active_tasks": 16,
        "max_active_runs": dag.max_active_runs,
        "max_consecutive_failed_dag_runs": 0,
        "has_task_concurrency_limits": False,
        "has_import_errors": False,
        "fail_fast": False,
        "allowed_run_types": None,
        "next_dagrun": None if cadence.partitioned else next_date,
        "next_dagrun_data_interval_start": None if cadence.partitioned else next_date,
        "next_dagrun_data_interval_end": (
            None if cadence.partitioned else next_date + cadence.interval
        ),
        "next_dagrun_partition_key": (
            next_date.strftime(PARTITION_KEY_FORMAT) if cadence.partitioned else None
        ),
        "next_dagrun_partition_date": next_date if cadence.partitioned else None,
        "next_dagrun_create_after": next_date if cadence.partitioned else create_after,
    }


# --------------------------------------------------------------------------- runs


@dataclass(frozen=True)
class _Info:
    """One date slot as Airflow's timetable describes it (a `DagRunInfo`)."""

    logical_date: datetime | None
    partition_key: str | None
    partition_date: datetime | None
    data_interval: tuple[datetime, datetime] | None
    run_after: datetime


def _info(dag: _DagSpec, date: datetime) -> _Info:
    if dag.cadence.partitioned:
        # CronPartitionTimetable with run_offset 0: the run is due at the partition date.
        return _Info(None, date.strftime(PARTITION_KEY_FORMAT), date, None, date)
    end = date + dag.cadence.interval
    return _Info(date, None, None, (date, end), end)


@dataclass
class _Life:
    """A run from its creation, or from its latest clear, until now."""

    owner: int | None  # backfill id; None for scheduled runs
    queued_at: datetime
    fresh: bool  # created, not cleared: Airflow stamps start_date at creation
    started_at: datetime | None = None
    ended_at: datetime | None = None
    final_state: str | None = None
    settled_at: datetime | None = None  # when final_state was set (== ended_at unless cancelled)

    def state_at(self, t: datetime) -> str:
        if self.settled_at is not None and t >= self.settled_at:
            return self.final_state
        if self.started_at is not None and t >= self.started_at:
            return RUNNING
        return QUEUED

    def start(self, at: datetime) -> None:
        self.started_at = at

    def finish(self, at: datetime, state: str) -> None:
        self.ended_at = self.settled_at = at
        self.final_state = state

    def fail_without_running(self, at: datetime) -> None:
        # Airflow's cancel is a bulk UPDATE of the state: no end_date, no start.
        self.settled_at = at
        self.final_state = FAILED


@dataclass
class _Run:
    seq: int  # creation order, breaks ties between equal created_at
    dag: _DagSpec
    info: _Info
    run_id: str
    created_at: datetime
    run_type: str
    triggered_by: str
    triggering_user_name: str | None
    conf: Any
    dag_version_id: uuid.UUID | None
    life: _Life
    clear_number: int = 0
    ever_started: bool = False
    id: int | None = None

    def clear_for_backfill(self, at: datetime, backfill_id: int, conf: Any) -> None:
        """What `_handle_clear_run` does: re-queue the run and move it to the new backfill."""
        self.ever_started = self.ever_started or self.life.started_at is not None
        self.life = _Life(owner=backfill_id, queued_at=at, fresh=False)
        self.clear_number += 1
        self.run_type = "backfill"
        self.triggered_by = "BACKFILL"
        if conf is not JSON_NULL:
            self.conf = conf

    def row(self, now: datetime) -> dict[str, Any]:
        life = self.life
        state = life.state_at(now)
        started = life.started_at is not None
        if life.ended_at is not None:
            last_decision = life.ended_at
        elif started and state == RUNNING:
            # The scheduler looked at it a few seconds ago (varied without drawing randomness).
            last_decision = max(life.started_at, now - timedelta(seconds=(self.seq % 25) + 1))
        else:
            last_decision = None
        start_date = life.started_at or (life.queued_at if life.fresh else None)
        updated_at = max(
            t for t in (life.queued_at, life.started_at, life.settled_at, last_decision) if t
        )
        interval = self.info.data_interval
        return {
            "id": self.id,
            "dag_id": self.dag.dag_id,
            "queued_at": life.queued_at,
            "logical_date": self.info.logical_date,
            "start_date": start_date,
            "end_date": life.ended_at,
            "state": state,
            "run_id": self.run_id,
            "creating_job_id": SCHEDULER_JOB_ID if self.run_id.startswith("scheduled__") else None,
            "run_type": self.run_type,
            "triggered_by": self.triggered_by,
            "triggering_user_name": self.triggering_user_name,
            "conf": copy.deepcopy(self.conf),  # rows must not share mutable values
            "data_interval_start": interval[0] if interval else None,
            "data_interval_end": interval[1] if interval else None,
            "run_after": self.info.run_after,
            "last_scheduling_decision": last_decision,
            "log_template_id": LOG_TEMPLATE_ID,
            "created_at": self.created_at,
            "updated_at": updated_at,
            "clear_number": self.clear_number,
            "backfill_id": life.owner,
            "bundle_version": None,
            "scheduled_by_job_id": SCHEDULER_JOB_ID if started or self.ever_started else None,
            "context_carrier": {},
            "span_status": "ended" if life.ended_at is not None else "not_started",
            "created_dag_version_id": self.dag_version_id,
            "partition_key": self.info.partition_key,
            "partition_date": self.info.partition_date,
        }


def _random_suffix(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(8))


def _run_id(run_type: str, info: _Info, rng: random.Random) -> str:
    if info.logical_date is not None:
        return f"{run_type}__{info.logical_date.isoformat()}"
    # Partitioned timetables add the key and a random suffix.
    return f"{run_type}__{info.run_after.isoformat()}__{info.partition_key}__{_random_suffix(rng)}"


class _World:
    """Every dag run created so far, findable the way Airflow looks them up."""

    def __init__(self) -> None:
        self.runs: list[_Run] = []
        self._by_date: dict[tuple[str, datetime], _Run] = {}
        self._by_partition: dict[tuple[str, str], list[_Run]] = defaultdict(list)

    def add(self, run: _Run) -> None:
        info = run.info
        if info.logical_date is not None:
            key = (run.dag.dag_id, info.logical_date)
            assert key not in self._by_date, f"duplicate logical date {key}"
            self._by_date[key] = run
        else:
            self._by_partition[(run.dag.dag_id, info.partition_key)].append(run)
        self.runs.append(run)

    def remove(self, run: _Run) -> None:
        self.runs.remove(run)
        if run.info.logical_date is not None:
            del self._by_date[(run.dag.dag_id, run.info.logical_date)]
        else:
            self._by_partition[(run.dag.dag_id, run.info.partition_key)].remove(run)

    def latest(self, dag: _DagSpec, info: _Info, at: datetime) -> _Run | None:
        """`_get_latest_dag_run_row_query`: the run for that date, latest start first."""
        if info.logical_date is not None:
            candidates = [self._by_date.get((dag.dag_id, info.logical_date))]
        else:
            candidates = self._by_partition[(dag.dag_id, info.partition_key)]
        candidates = [run for run in candidates if run is not None]
        # A run created after `at` would mean the scenario contradicts itself.
        assert all(run.created_at <= at for run in candidates), (dag.dag_id, info, at)
        if not candidates:
            return None
        return max(candidates, key=lambda run: (run.life.started_at is not None,
                                                run.life.started_at or at))


def _scheduled_runs(
    dag: _DagSpec, clock: _Clock, rng: random.Random, world: _World, version: uuid.UUID
) -> None:
    """The runs the scheduler created on the DAG's own schedule."""
    if dag.deleted:
        return
    low, high = dag.cadence.run_minutes
    for periods_ago in range(dag.scheduled_oldest, dag.scheduled_newest - 1, -1):
        info = _info(dag, _anchor(dag, clock, periods_ago))
        created = info.run_after + _seconds(rng, 2, 40)
        run = _Run(
            seq=len(world.runs),
            dag=dag,
            info=info,
            run_id=_run_id("scheduled", info, rng),
            created_at=created,
            run_type="scheduled",
            triggered_by="TIMETABLE",
            triggering_user_name=None,
            conf=None if dag.conf_sql_null else {},
            dag_version_id=version,
            life=_Life(owner=None, queued_at=created, fresh=True),
        )
        newest_first_index = periods_ago - dag.scheduled_newest
        target = (dag.in_flight[newest_first_index]
                  if newest_first_index < len(dag.in_flight) else None)
        if target != QUEUED:
            run.life.start(created + _seconds(rng, 1, 15))
        if target is None:
            state = FAILED if rng.random() < 0.05 else SUCCESS
            run.life.finish(run.life.started_at + _seconds(rng, low * 60, high * 60), state)
        world.add(run)


# --------------------------------------------------------------------------- backfills


@dataclass(frozen=True)
class _BackfillSpec:
    """One backfill request and how far it got by `now`."""

    dag_id: str
    created_at: datetime
    first: datetime  # from_date: the first logical (or partition) date
    last: datetime  # to_date
    # completed | running | paused | cancelled | orphaned | initializing
    # | slotless_with_active_run
    outcome: str
    reprocess: str = "none"
    reverse: bool = False
    max_active_runs: int = 10
    conf: Any = field(default_factory=dict)
    is_paused: bool | None = False  # as stored while active and not paused by a user
    user: str | None = "admin"
    progress: float = 1.0  # share of its runs finished by `now` (or by pause/cancel)
    failure_rate: float = 0.05
    # completed: when its last run ended; paused: when paused; cancelled: when cancelled.
    settled_at: datetime | None = None
    still_running: int = 0  # paused/cancelled: runs that had started and go on
    delete_run_at: int | None = None  # sort_ordinal whose run a user deleted later
    tags: tuple[str, ...] = ()


def _backfill_specs(clock: _Clock) -> list[_BackfillSpec]:
    day, hour, ago = clock.day, clock.hour, clock.ago
    office = timedelta(hours=9, minutes=41)  # users start backfills during office hours
    return [
        # Long-finished history, oldest first.
        _BackfillSpec("legacy_crm_sync", day(120) + office, day(230), day(171), "completed",
                      user="jonas.berg", settled_at=day(120) + timedelta(hours=15),
                      failure_rate=0.08, tags=("stale_dag",)),
        _BackfillSpec("customer_churn_model", day(100) + office, day(160), day(147), "completed",
                      user=None, settled_at=day(100) + timedelta(hours=13),
                      tags=("deleted_dag",)),
        _BackfillSpec("email_campaign_stats", day(90) + office, day(240), day(151), "completed",
                      user="maria.keller", settled_at=day(90) + timedelta(hours=20)),
        _BackfillSpec("finance_ledger_close", day(70) + office, day(130), day(101), "completed",
                      max_active_runs=2, user="priya.nair",
                      settled_at=day(70) + timedelta(hours=16)),
        # marketing_attribution: three backfills over overlapping dates, one per
        # reprocess behavior; the later ones take over runs of the earlier ones.
        _BackfillSpec("marketing_attribution", day(60) + office, day(110), day(66), "completed",
                      conf={"model": "last_touch", "lookback_days": 30}, user="maria.keller",
                      failure_rate=0.2, settled_at=day(60) + timedelta(hours=14)),
        _BackfillSpec("sales_daily_etl", day(50) + office, day(150), day(120), "completed",
                      conf={"source": "s3://acme-raw/sales/", "full_refresh": False},
                      settled_at=day(50) + timedelta(hours=17), delete_run_at=7),
        _BackfillSpec("marketing_attribution", day(45) + office, day(100), day(71), "completed",
                      reprocess="failed", conf={"model": "last_touch", "lookback_days": 30},
                      user="maria.keller", settled_at=day(45) + timedelta(hours=12)),
        _BackfillSpec("ml_feature_refresh", day(40) + office, day(150), day(61), "completed",
                      max_active_runs=4, user="ci-backfill-bot",
                      settled_at=day(40) + timedelta(hours=22)),
        _BackfillSpec("inventory_snapshot", day(35) + office, day(80), day(61), "completed",
                      conf=JSON_NULL, user="lena.fischer",
                      settled_at=day(35) + timedelta(hours=11), tags=("paused_dag",)),
        _BackfillSpec("ads_spend_import", day(25) + office, day(55), day(26), "completed",
                      user="maria.keller", settled_at=day(25) + timedelta(hours=12)),
        _BackfillSpec("web_events_hourly", day(21) + office, hour(672), hour(577), "completed",
                      max_active_runs=8, user="ci-backfill-bot",
                      settled_at=day(21) + timedelta(hours=18)),
        _BackfillSpec("marketing_attribution", day(20) + office, day(75), day(31), "completed",
                      reprocess="completed", conf={"model": "data_driven", "lookback_days": 30},
                      user="maria.keller", failure_rate=0.1,
                      settled_at=day(20) + timedelta(hours=16)),
        _BackfillSpec("partner_feed_export", day(15) + office, day(105), day(16), "completed",
                      user="tomas.novak", settled_at=day(15) + timedelta(hours=19)),
        _BackfillSpec("warehouse_partitions", day(5) + office, day(45), day(16), "completed",
                      max_active_runs=5, user="priya.nair",
                      settled_at=day(5) + timedelta(hours=10)),
        # What is going on now, oldest first.
        _BackfillSpec("ml_feature_refresh", ago(days=3, minutes=17), day(60), day(31), "orphaned",
                      user="ci-backfill-bot"),
        _BackfillSpec("web_events_hourly", ago(hours=26, minutes=4), hour(1072), hour(65),
                      "running", max_active_runs=16, conf={"rebuild_sessions": False},
                      user="ci-backfill-bot", progress=0.7, failure_rate=0.04),
        _BackfillSpec("email_campaign_stats", ago(hours=24, minutes=30), day(150), day(91),
                      "paused", max_active_runs=2, user="maria.keller", progress=1 / 3,
                      settled_at=ago(minutes=25), still_running=2),
        _BackfillSpec("finance_ledger_close", ago(hours=6, minutes=12), day(110), day(55),
                      "running", reverse=True, max_active_runs=4, is_paused=None,
                      conf={"ledger": "EU", "recompute_fx": True}, user="priya.nair",
                      progress=0.5, tags=("reverse",)),
        _BackfillSpec("payments_reconciliation", ago(hours=3, minutes=8), day(90), day(61),
                      "cancelled", max_active_runs=3, user="tomas.novak", progress=8 / 30,
                      settled_at=ago(hours=2, minutes=2), still_running=3),
        _BackfillSpec("sales_daily_etl", ago(hours=2, minutes=3), day(270), day(151), "running",
                      max_active_runs=5, conf={"source": "s3://acme-raw/sales/",
                                               "full_refresh": True},
                      progress=0.3),
        _BackfillSpec("ads_spend_import", ago(minutes=95), day(62), day(58),
                      "slotless_with_active_run", is_paused=None, user="maria.keller"),
        # Re-runs what the cancel above failed; the run still going is "in flight".
        _BackfillSpec("payments_reconciliation", ago(minutes=40), day(85), day(70), "running",
                      reprocess="failed", max_active_runs=3, user="tomas.novak", progress=0.4),
        _BackfillSpec("clickstream_sessionize", ago(minutes=20), hour(60), hour(2), "running",
                      max_active_runs=3, user="lena.fischer", progress=5 / 12),
        _BackfillSpec("partner_feed_export", ago(seconds=5), day(130), day(106), "initializing",
                      user="tomas.novak"),
    ]


def _infos(dag: _DagSpec, spec: _BackfillSpec) -> list[_Info]:
    infos, date = [], spec.first
    while date <= spec.last:
        infos.append(_info(dag, date))
        date += dag.cadence.interval
    return infos[::-1] if spec.reverse else infos


def _no_create_reason(state: str, reprocess: str) -> str | None:
    """`_get_dag_run_no_create_reason` from airflow.models.backfill."""
    if state not in (SUCCESS, FAILED):
        return IN_FLIGHT
    if reprocess == "none" or (reprocess == "failed" and state != FAILED):
        return ALREADY_EXISTS
    return None


@dataclass
class _Slot:
    backfill_id: int
    sort_ordinal: int
    info: _Info
    run: _Run | None
    exception_reason: str | None = None

    def row(self, slot_id: int) -> dict[str, Any]:
        return {
            "id": slot_id,
            "backfill_id": self.backfill_id,
            "dag_run_id": self.run.id if self.run else None,
            "exception_reason": self.exception_reason,
            "logical_date": self.info.logical_date,
            "partition_key": self.info.partition_key,
            "sort_ordinal": self.sort_ordinal,
        }


def _new_backfill_run(
    dag: _DagSpec, info: _Info, spec: _BackfillSpec, backfill_id: int, at: datetime,
    world: _World, rng: random.Random, version: uuid.UUID,
) -> _Run:
    return _Run(
        seq=len(world.runs),
        dag=dag,
        info=info,
        run_id=_run_id("backfill", info, rng),
        created_at=at,
        run_type="backfill",
        triggered_by="BACKFILL",
        triggering_user_name=spec.user,
        conf=spec.conf,
        dag_version_id=version,
        life=_Life(owner=backfill_id, queued_at=at, fresh=True),
    )


def _create_slots(
    dag: _DagSpec, spec: _BackfillSpec, backfill_id: int, world: _World,
    rng: random.Random, version: uuid.UUID,
) -> tuple[list[_Slot], list[_Run], datetime]:
    """Step 3 of Airflow's backfill creation: one slot per date, in processing order."""
    at = spec.created_at + _seconds(rng, 0.05, 0.4)
    slots: list[_Slot] = []
    owned: list[_Run] = []
    for ordinal, info in enumerate(_infos(dag, spec), start=1):
        at += _seconds(rng, 0.004, 0.02)
        existing = world.latest(dag, info, at)
        if existing is not None:
            reason = _no_create_reason(existing.life.state_at(at), spec.reprocess)
            if reason is not None:
                slots.append(_Slot(backfill_id, ordinal, info, None, reason))
                continue
            if not dag.cadence.partitioned:  # partitioned backfills never reuse a run
                existing.clear_for_backfill(at, backfill_id, spec.conf)
                slots.append(_Slot(backfill_id, ordinal, info, existing))
                owned.append(existing)
                continue
        run = _new_backfill_run(dag, info, spec, backfill_id, at, world, rng, version)
        world.add(run)
        slots.append(_Slot(backfill_id, ordinal, info, run))
        owned.append(run)
    return slots, owned, at


# --------------------------------------------------------------------------- progress


def _waves(
    count: int, start: datetime, stop: datetime, concurrency: int, rng: random.Random
) -> Iterator[tuple[datetime, datetime]]:
    """Start and end times of `count` runs executed `concurrency` at a time in [start, stop]."""
    wave_length = _wave_length(count, start, stop, concurrency)
    for index in range(count):
        wave_start = start + wave_length * (index // concurrency)
        started = wave_start + wave_length * rng.uniform(0.0, 0.2)
        yield started, started + wave_length * rng.uniform(0.4, 0.75)


def _wave_length(count: int, start: datetime, stop: datetime, concurrency: int) -> timedelta:
    return (stop - start) / max(1, math.ceil(count / concurrency))


def _finish_runs(runs: list[_Run], start: datetime, stop: datetime, spec: _BackfillSpec,
                 rng: random.Random) -> None:
    for run, (started, ended) in zip(runs, _waves(len(runs), start, stop,
                                                  spec.max_active_runs, rng), strict=True):
        run.life.start(started)
        run.life.finish(ended, FAILED if rng.random() < spec.failure_rate else SUCCESS)


def _start_runs(runs: list[_Run], before: datetime, wave_length: timedelta,
                rng: random.Random) -> None:
    for run in runs:
        run.life.start(before - wave_length * rng.uniform(0.1, 0.9))


@dataclass
class _Outcome:
    is_paused: bool | None
    completed_at: datetime | None
    updated_at: datetime


def _play(spec: _BackfillSpec, owned: list[_Run], slots_done: datetime, now: datetime,
          rng: random.Random) -> _Outcome:
    """Let the scheduler work on the backfill's runs until `now`."""
    work_start = slots_done + _seconds(rng, 1, 30)  # next scheduler loop
    if spec.outcome == "completed":
        _finish_runs(owned, work_start, spec.settled_at, spec, rng)
        last_end = max((run.life.ended_at for run in owned), default=slots_done)
        completed_at = last_end + _seconds(rng, 1, 30)  # the scheduler's 30-second check
        return _Outcome(spec.is_paused, completed_at, completed_at)

    done = round(len(owned) * spec.progress)
    finished, rest = owned[:done], owned[done:]
    if spec.outcome == "running":
        stop = now - timedelta(seconds=45)
        _finish_runs(finished, work_start, stop, spec, rng)
        wave = _wave_length(done, work_start, stop, spec.max_active_runs)
        _start_runs(rest[: spec.max_active_runs], stop, wave, rng)
        return _Outcome(spec.is_paused, None, spec.created_at)

    # Paused or cancelled at `settled_at`: runs already going keep going.
    stop = spec.settled_at
    _finish_runs(finished, work_start, stop, spec, rng)
    wave = _wave_length(done, work_start, stop, spec.max_active_runs)
    going, waiting = rest[: spec.still_running], rest[spec.still_running:]
    _start_runs(going, stop, wave, rng)
    if spec.outcome == "paused":
        return _Outcome(True, None, stop)
    assert spec.outcome == "cancelled", spec.outcome
    # Those that started before the cancel finish later, the last one is still running.
    for run in going[:-1]:
        run.life.finish(stop + _seconds(rng, 60, 1800), SUCCESS)
    for run in waiting:  # cancel fails the queued runs in one UPDATE
        run.life.fail_without_running(stop + _seconds(rng, 0.01, 0.2))
    return _Outcome(True, stop, stop)


# --------------------------------------------------------------------------- assembly


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _backfill_row(backfill_id: int, spec: _BackfillSpec, outcome: _Outcome) -> dict[str, Any]:
    return {
        "id": backfill_id,
        "dag_id": spec.dag_id,
        "from_date": spec.first,
        "to_date": spec.last,
        "dag_run_conf": copy.deepcopy(spec.conf),
        "is_paused": outcome.is_paused,
        "reprocess_behavior": spec.reprocess,
        "max_active_runs": spec.max_active_runs,
        "created_at": spec.created_at,
        "completed_at": outcome.completed_at,
        "updated_at": outcome.updated_at,
        "triggering_user_name": spec.user,
    }


def _check_single_active(spec: _BackfillSpec, earlier: list[dict[str, Any]]) -> None:
    """Airflow refuses a backfill while another one of the same DAG is active."""
    for row in earlier:
        if row["dag_id"] == spec.dag_id:
            assert row["completed_at"] is not None and row["completed_at"] < spec.created_at, (
                f"scenario error: {spec.dag_id} already has an active backfill"
            )


def _delete_run(slots: list[_Slot], spec: _BackfillSpec, world: _World) -> None:
    """A user deleted one run later: its slot keeps the date, `dag_run_id` becomes NULL."""
    slot = next(s for s in slots if s.sort_ordinal == spec.delete_run_at)
    assert slot.run.life.owner == slot.backfill_id, "only delete a run no other slot shares"
    world.remove(slot.run)
    slot.run = None


def _derived_cases(
    backfills: list[dict[str, Any]], slots: list[_Slot], dags: dict[str, _DagSpec]
) -> dict[str, set[int]]:
    cases: dict[str, set[int]] = defaultdict(set)
    slot_counts: dict[int, int] = defaultdict(int)
    for slot in slots:
        slot_counts[slot.backfill_id] += 1
        if slot.exception_reason == ALREADY_EXISTS:
            cases["skipped_already_exists"].add(slot.backfill_id)
        elif slot.exception_reason == IN_FLIGHT:
            cases["skipped_in_flight"].add(slot.backfill_id)
        elif slot.run is None:
            cases["run_deleted"].add(slot.backfill_id)
        elif slot.run.life.owner != slot.backfill_id:
            cases["reprocessed_runs_moved"].add(slot.backfill_id)
    for row in backfills:
        backfill_id, dag = row["id"], dags[row["dag_id"]]
        cases[f"reprocess_{row['reprocess_behavior']}"].add(backfill_id)
        if row["is_paused"] is None:
            cases["is_paused_null"].add(backfill_id)
        if row["dag_run_conf"] is JSON_NULL:
            cases["null_conf"].add(backfill_id)
        if slot_counts[backfill_id] >= 1000:
            cases["large"].add(backfill_id)
        if dag.cadence is HOURLY:
            cases["hourly"].add(backfill_id)
        if dag.cadence.partitioned:
            cases["partitioned"].add(backfill_id)
    return cases


def build_demo_dataset(now: datetime) -> DemoDataset:
    """The demo rows for `now` (aware). Pure: same `now`, same rows."""
    if now.tzinfo is None:
        raise ValueError("build_demo_dataset needs a timezone-aware `now`")
    now = now.astimezone(UTC)
    clock = _Clock(now)
    rng = random.Random(SEED)

    dag_specs = _dag_specs()
    dags = {dag.dag_id: dag for dag in dag_specs}
    versions = {dag.dag_id: _uuid(rng) for dag in dag_specs}
    dag_rows = [_dag_row(dag, clock, rng) for dag in dag_specs if not dag.deleted]

    world = _World()
    for dag in dag_specs:
        _scheduled_runs(dag, clock, rng, world, versions[dag.dag_id])

    backfill_rows: list[dict[str, Any]] = []
    all_slots: list[_Slot] = []
    cases: dict[str, set[int]] = defaultdict(set)
    deletions: list[tuple[list[_Slot], _BackfillSpec]] = []
    specs = sorted(_backfill_specs(clock), key=lambda spec: spec.created_at)
    for backfill_id, spec in enumerate(specs, start=1):  # ids follow creation, as in Airflow
        _check_single_active(spec, backfill_rows)
        dag, version = dags[spec.dag_id], versions[spec.dag_id]
        if spec.outcome == "slotless_with_active_run":
            # No slots, yet it owns a queued run: Airflow's creation never leaves this,
            # but it shows up after hand cleanups; it must not pass for an orphan.
            infos = _infos(dag, spec)
            info = infos[len(infos) // 2]
            world.add(_new_backfill_run(dag, info, spec, backfill_id,
                                        spec.created_at + _seconds(rng, 0.05, 0.4),
                                        world, rng, version))
            outcome = _Outcome(spec.is_paused, None, spec.created_at)
        elif spec.outcome in ("orphaned", "initializing"):
            outcome = _Outcome(spec.is_paused, None, spec.created_at)
        else:
            slots, owned, slots_done = _create_slots(dag, spec, backfill_id, world, rng, version)
            outcome = _play(spec, owned, slots_done, now, rng)
            all_slots.extend(slots)
            if spec.delete_run_at is not None:
                deletions.append((slots, spec))
        backfill_rows.append(_backfill_row(backfill_id, spec, outcome))
        cases[spec.outcome].add(backfill_id)
        for tag in spec.tags:
            cases[tag].add(backfill_id)

    # Ids follow creation order; deleting afterwards leaves a gap, as in a real database.
    for run_id, run in enumerate(sorted(world.runs, key=lambda r: (r.created_at, r.seq)), 1):
        run.id = run_id
    for slots, spec in deletions:
        _delete_run(slots, spec, world)
    for name, ids in _derived_cases(backfill_rows, all_slots, dags).items():
        cases[name] |= ids

    return DemoDataset(
        now=now,
        dags=dag_rows,
        backfills=backfill_rows,
        dag_runs=[run.row(now) for run in sorted(world.runs, key=lambda r: r.id)],
        backfill_dag_runs=[slot.row(slot_id) for slot_id, slot in enumerate(all_slots, 1)],
        cases={name: sorted(ids) for name, ids in sorted(cases.items())},
    )


# --------------------------------------------------------------------------- loading

# FK order: dag_run references backfill, backfill_dag_run references both.
_LOAD_ORDER = (
    ("dags", tables.dag),
    ("backfills", tables.backfill),
    ("dag_runs", tables.dag_run),
    ("backfill_dag_runs", tables.backfill_dag_run),
)
_SERIAL_TABLES = (tables.backfill, tables.dag_run, tables.backfill_dag_run)


def _bindable(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    """Send `None` in JSON columns as SQL NULL (SQLAlchemy would write JSON `null`)."""
    json_columns = [c.name for c in table.columns if isinstance(c.type, JSON)]
    return {k: null() if v is None and k in json_columns else v for k, v in row.items()}


async def load_demo_dataset(engine: AsyncEngine, dataset: DemoDataset) -> None:
    """Insert the dataset into existing, empty tables, in one transaction."""
    async with engine.begin() as conn:
        for attribute, table in _LOAD_ORDER:
            rows = getattr(dataset, attribute)
            if rows:
                await conn.execute(insert(table), [_bindable(table, row) for row in rows])
        if conn.dialect.name == "postgresql":
            # Explicit ids leave the serial sequences behind; later inserts would collide.
            for table in _SERIAL_TABLES:
                await conn.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"coalesce(max(id), 1), max(id) IS NOT NULL) FROM {table.name}"
                ))


async def create_demo_database(path: Path, now: datetime | None = None) -> DemoDataset:
    """(Re)create the demo SQLite file at `path` atomically and return its dataset."""
    path = Path(path)
    dataset = build_demo_dataset(now or datetime.now(UTC))
    building = path.with_suffix(".tmp")
    _remove_sqlite_files(building)
    engine = create_engine(f"sqlite+aiosqlite:///{building}")
    try:
        async with engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.exec_driver_sql("PRAGMA journal_mode=WAL")
        async with engine.begin() as conn:
            await conn.run_sync(tables.metadata.create_all)
        await load_demo_dataset(engine, dataset)
        async with engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            # Everything into the main file: a -wal file would not follow the rename.
            await conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        await engine.dispose()
    # A leftover -wal of the old file would be replayed onto the new one.
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    os.replace(building, path)
    _remove_sqlite_files(building)
    return dataset


def _remove_sqlite_files(path: Path) -> None:
    for name in (str(path), f"{path}-wal", f"{path}-shm", f"{path}-journal"):
        Path(name).unlink(missing_ok=True)
