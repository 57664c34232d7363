"""`Dag`: the few columns of Airflow's `dag` table worth showing beside a backfill."""

from __future__ import annotations

from datetime import datetime

import strawberry

from backfill_gateway.resolvers.records import DagRecord
from backfill_gateway.schema.node import Node, instances_of


@strawberry.type(description="An Airflow DAG, from Airflow's `dag` table.")
class Dag(Node):
    dag_id: str = strawberry.field(description="The DAG's id.")
    display_name: str = strawberry.field(
        description="The DAG's display name (its id when none is set)."
    )
    is_paused: bool | None = strawberry.field(
        description="Whether the DAG is paused. May be null before Airflow 3.2 (the column "
        "was nullable)."
    )
    is_stale: bool | None = strawberry.field(
        description="Whether the DAG's file no longer defines it (inactive). May be null "
        "before Airflow 3.2 (the column was nullable)."
    )
    owners: list[str] = strawberry.field(description="The DAG's owners.")
    description: str | None = strawberry.field(description="The DAG's description.")
    timetable_summary: str | None = strawberry.field(
        description="Short form of the schedule, e.g. `@daily` or a cron expression."
    )
    timetable_description: str | None = strawberry.field(
        description="The schedule in words."
    )
    max_active_runs: int | None = strawberry.field(
        description="The DAG's limit of concurrently active runs."
    )
    fileloc: str | None = strawberry.field(description="Path of the file defining the DAG.")
    bundle_name: str | None = strawberry.field(
        description="The DAG bundle the DAG comes from. May be null on Airflow 3.0 (the column "
        "was nullable); null on Airflow 2 (no bundles)."
    )
    has_import_errors: bool = strawberry.field(
        description="Whether the DAG's file failed to import on the last parse."
    )
    next_dagrun: datetime | None = strawberry.field(
        description="Logical date of the next scheduled run."
    )

    is_type_of = instances_of(DagRecord)
