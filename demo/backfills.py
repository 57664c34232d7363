"""The demo's backfills: their specs, and how Airflow turns dates into slots."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from backfill_gateway.demo.clock import Clock, random_duration
from backfill_gateway.demo.dags import DagSpec
from backfill_gateway.demo.dataset import ALREADY_EXISTS, FAILED, IN_FLIGHT, JSON_NULL, SUCCESS
from backfill_gateway.demo.runs import (
    CreatedRuns,
    DagRunInfo,
    RunLife,
    SimulatedRun,
    dag_run_info,
    new_run_id,
)


@dataclass(frozen=True)
class BackfillSpec:
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


def demo_backfill_specs(clock: Clock) -> list[BackfillSpec]:
    day, hour, ago = clock.day, clock.hour, clock.ago
    office = timedelta(hours=9, minutes=41)  # users start backfills during office hours
    return [
        # Long-finished history, oldest first.
        BackfillSpec("legacy_crm_sync", day(120) + office, day(230), day(171), "completed",
                      user="jonas.berg", settled_at=day(120) + timedelta(hours=15),
                      failure_rate=0.08, tags=("stale_dag",)),
        BackfillSpec("customer_churn_model", day(100) + office, day(160), day(147), "completed",
                      user=None, settled_at=day(100) + timedelta(hours=13),
                      tags=("deleted_dag",)),
        BackfillSpec("email_campaign_stats", day(90) + office, day(240), day(151), "completed",
                      user="maria.keller", settled_at=day(90) + timedelta(hours=20)),
        BackfillSpec("finance_ledger_close", day(70) + office, day(130), day(101), "completed",
                      max_active_runs=2, user="priya.nair",
                      settled_at=day(70) + timedelta(hours=16)),
        # marketing_attribution: three backfills over overlapping dates, one per
        # reprocess behavior; the later ones take over runs of the earlier ones.
        BackfillSpec("marketing_attribution", day(60) + office, day(110), day(66), "completed",
                      conf={"model": "last_touch", "lookback_days": 30}, user="maria.keller",
                      failure_rate=0.2, settled_at=day(60) + timedelta(hours=14)),
        BackfillSpec("sales_daily_etl", day(50) + office, day(150), day(120), "completed",
                      conf={"source": "s3://acme-raw/sales/", "full_refresh": False},
                      settled_at=day(50) + timedelta(hours=17), delete_run_at=7),
        BackfillSpec("marketing_attribution", day(45) + office, day(100), day(71), "completed",
                      reprocess="failed", conf={"model": "last_touch", "lookback_days": 30},
                      user="maria.keller", settled_at=day(45) + timedelta(hours=12)),
        BackfillSpec("ml_feature_refresh", day(40) + office, day(150), day(61), "completed",
                      max_active_runs=4, user="ci-backfill-bot",
                      settled_at=day(40) + timedelta(hours=22)),
        BackfillSpec("inventory_snapshot", day(35) + office, day(80), day(61), "completed",
                      conf=JSON_NULL, user="lena.fischer",
                      settled_at=day(35) + timedelta(hours=11), tags=("paused_dag",)),
        BackfillSpec("ads_spend_import", day(25) + office, day(55), day(26), "completed",
                      user="maria.keller", settled_at=day(25) + timedelta(hours=12)),
        BackfillSpec("web_events_hourly", day(21) + office, hour(672), hour(577), "completed",
                      max_active_runs=8, user="ci-backfill-bot",
                      settled_at=day(21) + timedelta(hours=18)),
        BackfillSpec("marketing_attribution", day(20) + office, day(75), day(31), "completed",
                      reprocess="completed", conf={"model": "data_driven", "lookback_days": 30},
                      user="maria.keller", failure_rate=0.1,
                      settled_at=day(20) + timedelta(hours=16)),
        BackfillSpec("partner_feed_export", day(15) + office, day(105), day(16), "completed",
                      user="tomas.novak", settled_at=day(15) + timedelta(hours=19)),
        BackfillSpec("warehouse_partitions", day(5) + office, day(45), day(16), "completed",
                      max_active_runs=5, user="priya.nair",
                      settled_at=day(5) + timedelta(hours=10)),
        # What is going on now, oldest first.
        BackfillSpec("ml_feature_refresh", ago(days=3, minutes=17), day(60), day(31), "orphaned",
                      user="ci-backfill-bot"),
        BackfillSpec("web_events_hourly", ago(hours=26, minutes=4), hour(1072), hour(65),
                      "running", max_active_runs=16, conf={"rebuild_sessions": False},
                      user="ci-backfill-bot", progress=0.7, failure_rate=0.04),
        BackfillSpec("email_campaign_stats", ago(hours=24, minutes=30), day(150), day(91),
                      "paused", max_active_runs=2, user="maria.keller", progress=1 / 3,
                      settled_at=ago(minutes=25), still_running=2),
        BackfillSpec("finance_ledger_close", ago(hours=6, minutes=12), day(110), day(55),
                      "running", reverse=True, max_active_runs=4, is_paused=None,
                      conf={"ledger": "EU", "recompute_fx": True}, user="priya.nair",
                      progress=0.5, tags=("reverse",)),
        BackfillSpec("payments_reconciliation", ago(hours=3, minutes=8), day(90), day(61),
                      "cancelled", max_active_runs=3, user="tomas.novak", progress=8 / 30,
                      settled_at=ago(hours=2, minutes=2), still_running=3),
        BackfillSpec("sales_daily_etl", ago(hours=2, minutes=3), day(270), day(151), "running",
                      max_active_runs=5, conf={"source": "s3://acme-raw/sales/",
                                               "full_refresh": True},
                      progress=0.3),
        BackfillSpec("ads_spend_import", ago(minutes=95), day(62), day(58),
                      "slotless_with_active_run", is_paused=None, user="maria.keller"),
        # Re-runs what the cancel above failed; the run still going is "in flight".
        BackfillSpec("payments_reconciliation", ago(minutes=40), day(85), day(70), "running",
                      reprocess="failed", max_active_runs=3, user="tomas.novak", progress=0.4),
        BackfillSpec("clickstream_sessionize", ago(minutes=20), hour(60), hour(2), "running",
                      max_active_runs=3, user="lena.fischer", progress=5 / 12),
        BackfillSpec("partner_feed_export", ago(seconds=5), day(130), day(106), "initializing",
                      user="tomas.novak"),
    ]


def dag_run_infos(dag: DagSpec, spec: BackfillSpec) -> list[DagRunInfo]:
    infos, date = [], spec.first
    while date <= spec.last:
        infos.append(dag_run_info(dag, date))
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
class Slot:
    backfill_id: int
    sort_ordinal: int
    info: DagRunInfo
    run: SimulatedRun | None
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


def new_backfill_run(
    dag: DagSpec, info: DagRunInfo, spec: BackfillSpec, backfill_id: int, at: datetime,
    world: CreatedRuns, rng: random.Random, version: uuid.UUID,
) -> SimulatedRun:
    return SimulatedRun(
        seq=len(world.runs),
        dag=dag,
        info=info,
        run_id=new_run_id("backfill", info, rng),
        created_at=at,
        run_type="backfill",
        triggered_by="BACKFILL",
        triggering_user_name=spec.user,
        conf=spec.conf,
        dag_version_id=version,
        life=RunLife(owner=backfill_id, queued_at=at, fresh=True),
    )


def create_slots(
    dag: DagSpec, spec: BackfillSpec, backfill_id: int, world: CreatedRuns,
    rng: random.Random, version: uuid.UUID,
) -> tuple[list[Slot], list[SimulatedRun], datetime]:
    """Step 3 of Airflow's backfill creation: one slot per date, in processing order."""
    at = spec.created_at + random_duration(rng, 0.05, 0.4)
    slots: list[Slot] = []
    owned: list[SimulatedRun] = []
    for ordinal, info in enumerate(dag_run_infos(dag, spec), start=1):
        at += random_duration(rng, 0.004, 0.02)
        existing = world.latest(dag, info, at)
        if existing is not None:
            reason = _no_create_reason(existing.life.state_at(at), spec.reprocess)
            if reason is not None:
                slots.append(Slot(backfill_id, ordinal, info, None, reason))
                continue
            if not dag.cadence.partitioned:  # partitioned backfills never reuse a run
                existing.clear_for_backfill(at, backfill_id, spec.conf)
                slots.append(Slot(backfill_id, ordinal, info, existing))
                owned.append(existing)
                continue
        run = new_backfill_run(dag, info, spec, backfill_id, at, world, rng, version)
        world.add(run)
        slots.append(Slot(backfill_id, ordinal, info, run))
        owned.append(run)
    return slots, owned, at
