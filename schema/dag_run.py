"""`DagRun`: one row of Airflow's `dag_run` table."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON
from strawberry.utils.str_converters import to_camel_case

from backfill_gateway.resolvers.records import DagRunRecord
from backfill_gateway.schema.enums import DagRunState
from backfill_gateway.schema.field_plans import READS_ONLY_CONTEXT
from backfill_gateway.schema.node import Node, instances_of
from backfill_gateway.schema.task_counts import TaskInstanceCounts

if TYPE_CHECKING:
    from backfill_gateway.schema.backfill import Backfill


@strawberry.type(description="A DAG run: one execution of a DAG for one date (or partition).")
class DagRun(Node):
    dag_run_id: int = strawberry.field(description="Airflow's integer id of the run.")
    run_id: str = strawberry.field(
        description="The run's id within its DAG, e.g. `backfill__2026-09-01T00:00:00+00:00`."
    )
    dag_id: str = strawberry.field(description="The DAG the run belongs to.")
    state: DagRunState | None = strawberry.field(
        description="The run's state; null only in rows from old Airflow versions."
    )
    run_type: str = strawberry.field(
        description="How the run was created, as Airflow stores it: `backfill`, `scheduled`, "
        "`manual`, `asset_triggered`, ..."
    )
    triggered_by: str | None = strawberry.field(
        description="What triggered the run, as Airflow stores it: `BACKFILL`, `TIMETABLE`, "
        "`REST_API`, `CLI`, ... Recorded since Airflow 3.0: null on Airflow 2."
    )
    triggering_user_name: str | None = strawberry.field(
        description="The user who triggered the run, when a user did. Recorded since "
        "Airflow 3.1: null before."
    )
    logical_date: datetime | None = strawberry.field(
        description="The run's logical date; null for partitioned DAGs."
    )
    run_after: datetime | None = strawberry.field(
        description="Earliest time the run may start. Recorded since Airflow 3.0: null on "
        "Airflow 2."
    )
    queued_at: datetime | None = strawberry.field(description="When the run was last queued.")
    start_date: datetime | None = strawberry.field(description="When the run started.")
    end_date: datetime | None = strawberry.field(description="When the run finished.")
    duration: float | None = strawberry.field(
        description="Seconds from start to end; null until the run has finished."
    )
    data_interval_start: datetime | None = strawberry.field(
        description="Start of the data interval the run processes."
    )
    data_interval_end: datetime | None = strawberry.field(
        description="End of the data interval the run processes."
    )
    conf: JSON | None = strawberry.field(
        description="The run's configuration; null when unset or JSON null, and when "
        "`confUnreadable`."
    )
    conf_unreadable: bool = strawberry.field(
        description="Airflow 2 pickles the conf: true when it holds anything but plain data "
        "(dicts, lists, strings, numbers, booleans, null). Such a conf is never unpickled "
        "(it could run code) and `conf` is null. Always false on Airflow 3."
    )
    clear_number: int = strawberry.field(
        description="How many times the run was cleared and re-run."
    )
    backfill_id: int | None = strawberry.field(
        description="The backfill that currently owns the run. Airflow moves a reprocessed "
        "run to the newest backfill, so this may differ from the slot's backfill. Null on "
        "Airflow 2, whose runs record no backfill (see the slot's `backfillId`)."
    )
    partition_key: str | None = strawberry.field(
        description="The partition the run processes, for partitioned DAGs. Recorded since "
        "Airflow 3.2: null before."
    )
    partition_date: datetime | None = strawberry.field(
        description="The date of the run's partition, for partitioned DAGs. Recorded since "
        "Airflow 3.2: null before."
    )
    created_at: datetime | None = strawberry.field(
        description="When the row was created. Recorded since Airflow 3.2: null before."
    )
    updated_at: datetime | None = strawberry.field(description="When the row last changed.")

    @strawberry.field(
        metadata=READS_ONLY_CONTEXT,
        description="The backfill that currently owns the run, if any."
    )
    async def backfill(
        self, info: strawberry.Info
    ) -> Annotated["Backfill", strawberry.lazy("backfill_gateway.schema.backfill")] | None:  # noqa: UP037
        if self.backfill_id is None:
            return None
        return await info.context.loaders.backfill_by_id.load(self.backfill_id)

    @strawberry.field(
        metadata=READS_ONLY_CONTEXT,
        description="The run's task instances by state, each map index of a mapped task "
        "counted once; all zeros before the run has task instances."
    )
    async def task_counts(self, info: strawberry.Info) -> TaskInstanceCounts:
        return await info.context.loaders.task_counts_by_dag_run.load(self.dag_run_id)

    is_type_of = instances_of(DagRunRecord)


# The record attributes each DagRun field reads, so `dagRuns` fetches only the
# dag_run columns a query selects. Computed fields name their inputs; every
# other field reads the attribute of its own name.
DERIVED_FIELD_INPUTS = {"id": ("dag_run_id",), "duration": ("start_date", "end_date"),
                        "backfill": ("backfill_id",), "conf_unreadable": ("conf",),
                        "task_counts": ("dag_run_id",)}  # fmt: skip


def _record_attributes_by_field() -> dict[str, tuple[str, ...]]:
    attributes = {"__typename": ()}
    for field in DagRun.__strawberry_definition__.fields:
        name = field.graphql_name or to_camel_case(field.python_name)
        inputs = DERIVED_FIELD_INPUTS.get(field.python_name, (field.python_name,))
        unknown = set(inputs) - set(DagRunRecord.__slots__)
        assert not unknown, f"DagRun.{name} reads {unknown}, which DagRunRecord does not hold"
        attributes[name] = inputs
    return attributes


RECORD_ATTRIBUTES_BY_FIELD = _record_attributes_by_field()
