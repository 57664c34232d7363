"""The demo's DAGs: their cadences, specs and `dag` rows."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from backfill_gateway.demo.clock import Clock, random_duration
from backfill_gateway.demo.dataset import DAGS_FOLDER, PARTITION_KEY_FORMAT, QUEUED, RUNNING


@dataclass(frozen=True)
class Cadence:
    interval: timedelta
    timetable_type: str
    summary: str
    description: str
    partitioned: bool = False
    run_minutes: tuple[float, float] = (4, 40)  # how long a run of this DAG takes


DAILY = Cadence(
    timedelta(days=1), "airflow.timetables.interval.CronDataIntervalTimetable", "@daily", "At 00:00"
)
HOURLY = Cadence(
    timedelta(hours=1),
    "airflow.timetables.interval.CronDataIntervalTimetable",
    "0 * * * *",
    "Every hour",
    run_minutes=(1, 8),
)
DAILY_PARTITIONS = Cadence(
    timedelta(days=1),
    "airflow.timetables.trigger.CronPartitionTimetable",
    "0 0 * * *",
    "At 00:00",
    partitioned=True,
)


@dataclass(frozen=True)
class DagSpec:
    dag_id: str
    display_name: str
    description: str
    owners: str
    relative_fileloc: str
    cadence: Cadence
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


def demo_dag_specs() -> list[DagSpec]:
    return [
        DagSpec("sales_daily_etl", "Daily sales ETL",
                 "Loads the day's orders from the shop database into the warehouse.",
                 "data-eng, airflow", "sales/daily_sales_etl.py", DAILY, 90, 2),
        DagSpec("web_events_hourly", "Hourly web events rollup",
                 "Rolls raw click events up into hourly page statistics.",
                 "analytics", "web/web_events_hourly.py", HOURLY, 72, 2),
        DagSpec("inventory_snapshot", "Inventory snapshot",
                 "Snapshots stock levels of every warehouse at midnight.",
                 "supply-chain", "supply/inventory_snapshot.py", DAILY, 60, 22,
                 is_paused=True),
        DagSpec("legacy_crm_sync", "Legacy CRM sync",
                 "Copies accounts from the retired CRM. The file was removed in the spring.",
                 "crm-team", "crm/legacy_crm_sync.py", DAILY, 170, 100,
                 is_stale=True, conf_sql_null=True),
        DagSpec("marketing_attribution", "Marketing attribution",
                 "Attributes orders to campaigns with the last-touch model.",
                 "marketing-analytics, airflow", "marketing/attribution.py", DAILY, 40, 2),
        DagSpec("finance_ledger_close", "Finance ledger close",
                 "Closes the general ledger for the day.",
                 "finance-data", "finance/ledger_close.py", DAILY, 60, 2, max_active_runs=1),
        DagSpec("warehouse_partitions", "Warehouse partition load",
                 "Loads one warehouse partition per day.",
                 "data-platform", "platform/warehouse_partitions.py", DAILY_PARTITIONS, 20, 1),
        DagSpec("ml_feature_refresh", "ML feature refresh",
                 "Recomputes the daily feature store tables.",
                 "ml-platform", "ml/feature_refresh.py", DAILY, 30, 2),
        DagSpec("clickstream_sessionize", "Clickstream sessionization",
                 "Groups click events into sessions, hour by hour.",
                 "analytics", "web/clickstream_sessionize.py", HOURLY, 48, 2,
                 in_flight=(QUEUED, RUNNING), max_active_runs=2),
        DagSpec("payments_reconciliation", "Payments reconciliation",
                 "Matches payment provider settlements against orders.",
                 "finance-data, airflow", "finance/payments_reconciliation.py", DAILY, 30, 2),
        DagSpec("email_campaign_stats", "Email campaign stats",
                 "Aggregates opens and clicks per email campaign.",
                 "marketing-analytics", "marketing/email_campaign_stats.py", DAILY, 45, 2),
        DagSpec("partner_feed_export", "Partner feed export",
                 "Exports the product feed for marketplace partners.",
                 "integrations", "integrations/partner_feed_export.py", DAILY, 25, 2),
        DagSpec("ads_spend_import", "Ads spend import",
                 "Imports ad spend from the advertising platforms.",
                 "marketing-analytics", "marketing/ads_spend_import.py", DAILY, 30, 2),
        DagSpec("customer_churn_model", "Customer churn model",
                 "Scores customers for churn risk.",
                 "ml-platform", "ml/customer_churn_model.py", DAILY, 0, 0, deleted=True),
    ]


def anchor_date(dag: DagSpec, clock: Clock, periods_ago: int) -> datetime:
    if dag.cadence is HOURLY:
        return clock.hour(periods_ago)
    return clock.day(periods_ago)


def dag_row(dag: DagSpec, clock: Clock, rng: random.Random) -> dict[str, Any]:
    cadence = dag.cadence
    next_date = anchor_date(dag, clock, dag.scheduled_newest - 1)
    if dag.is_stale:
        last_parsed = clock.day(95) + random_duration(rng, 3600, 7200)
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
