"""`Backfill`, its progress, its `dagRuns` connection, and the `backfills` listing."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from backfill_gateway.resolvers import dag_runs as dag_run_resolvers
from backfill_gateway.resolvers.records import BackfillRecord
from backfill_gateway.schema.arguments import After, Before, First, Last
from backfill_gateway.schema.dag import Dag
from backfill_gateway.schema.dag_run import RECORD_ATTRIBUTES_BY_FIELD
from backfill_gateway.schema.enums import (
    BackfillOrderField,
    BackfillStatus,
    OrderDirection,
    ReprocessBehavior,
)
from backfill_gateway.schema.node import Node
from backfill_gateway.schema.pagination import Connection, Edge
from backfill_gateway.schema.selections import dag_run_columns
from backfill_gateway.schema.slot import BackfillDagRunConnection, BackfillDagRunFilter


@strawberry.type(description="How far a backfill got, counted over all of its slots.")
class BackfillProgress:
    slot_count: int = strawberry.field(description="Slots in the backfill, skipped ones included.")
    skipped_count: int = strawberry.field(description="Slots Airflow skipped.")
    run_missing_count: int = strawberry.field(
        description="Slots not skipped whose run was deleted since."
    )
    queued_count: int = strawberry.field(description="Slots whose run is queued.")
    running_count: int = strawberry.field(description="Slots whose run is running.")
    success_count: int = strawberry.field(description="Slots whose run succeeded.")
    failed_count: int = strawberry.field(description="Slots whose run failed.")
    finished_count: int = strawberry.field(
        description="Slots with nothing left to run: succeeded, failed, skipped or run missing."
    )
    finished_fraction: float | None = strawberry.field(
        description="`finishedCount / slotCount`, from 0 to 1; null when there are no slots."
    )


@strawberry.type(
    description="A backfill: a request to run a DAG over a range of past dates. Every column "
    "of Airflow's `backfill` table, with a derived status, progress and its slots."
)
class Backfill(Node):
    backfill_id: int = strawberry.field(description="Airflow's integer id of the backfill.")
    dag_id: str = strawberry.field(description="The DAG being backfilled.")
    from_date: datetime = strawberry.field(description="Start of the backfilled date range.")
    to_date: datetime = strawberry.field(description="End of the backfilled date range.")
    dag_run_conf: JSON | None = strawberry.field(
        description="Configuration passed to every run; null when it is JSON null."
    )
    is_paused: bool = strawberry.field(description="Whether the backfill is paused.")
    reprocess_behavior: ReprocessBehavior = strawberry.field(
        description="Which dates that already had a run are run again."
    )
    max_active_runs: int = strawberry.field(
        description="How many of the backfill's runs may be active at once."
    )
    created_at: datetime = strawberry.field(description="When the backfill was created.")
    completed_at: datetime | None = strawberry.field(
        description="When the backfill completed or was cancelled; null while active."
    )
    updated_at: datetime = strawberry.field(description="When the backfill row last changed.")
    triggering_user_name: str | None = strawberry.field(
        description="The user who created the backfill. Recorded since Airflow 3.1: null "
        "before."
    )
    status: BackfillStatus = strawberry.field(
        description="Derived status: COMPLETED, PAUSED, RUNNING, or for a backfill without "
        "slots INITIALIZING or ORPHANED depending on its age."
    )

    @strawberry.field(description="Slot and run-state counts over the whole backfill.")
    async def progress(self, info: strawberry.Info) -> BackfillProgress:
        return await info.context.loaders.progress_by_backfill.load(self.backfill_id)

    @strawberry.field(description="The backfilled DAG; null when its `dag` row is gone.")
    async def dag(self, info: strawberry.Info) -> Dag | None:
        return await info.context.loaders.dag_by_dag_id.load(self.dag_id)

    @strawberry.field(
        description="The backfill's slots in `sortOrdinal` order (ties by id), one edge per "
        "`backfill_dag_run` row. Skipped slots are edges too, with `dagRun: null`."
    )
    async def dag_runs(
        self,
        info: strawberry.Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: Annotated[
            BackfillDagRunFilter | None,
            strawberry.argument(description="Only slots matching this filter."),
        ] = None,
    ) -> BackfillDagRunConnection:
        return await dag_run_resolvers.backfill_dag_runs(
            info.context,
            self.backfill_id,
            first=first,
            after=after,
            last=last,
            before=before,
            filter_input=filter,
            run_attributes=dag_run_columns(info, RECORD_ATTRIBUTES_BY_FIELD),
        )

    @classmethod
    def is_type_of(cls, obj, info) -> bool:
        return isinstance(obj, BackfillRecord)


@strawberry.type(description="An edge of a backfill listing.")
class BackfillEdge(Edge[Backfill]):
    node: Backfill = strawberry.field(description="The backfill.")


@strawberry.type(description="A page of backfills.")
class BackfillConnection(Connection[Backfill]):
    edges: list[BackfillEdge] = strawberry.field(description="The page's edges.")
    nodes: list[Backfill] = strawberry.field(
        description="The page's backfills, without cursors (shortcut for `edges { node }`)."
    )

    @strawberry.field(description="Number of backfills matching the filter, over all pages.")
    async def total_count(self) -> int:
        return await self.count()


@strawberry.input(description="Which backfills to list; all given conditions must hold.")
class BackfillFilter:
    dag_ids: list[str] | None = strawberry.field(
        default=None, description="Only backfills of these DAGs."
    )
    backfill_ids: list[int] | None = strawberry.field(
        default=None, description="Only backfills with these Airflow ids."
    )
    statuses: list[BackfillStatus] | None = strawberry.field(
        default=None, description="Only backfills in one of these statuses."
    )
    created_after: datetime | None = strawberry.field(
        default=None, description="Only backfills created at or after this time."
    )
    created_before: datetime | None = strawberry.field(
        default=None, description="Only backfills created before this time."
    )


@strawberry.input(description="Order of a backfill listing.")
class BackfillOrder:
    field: BackfillOrderField = strawberry.field(
        default=BackfillOrderField.ID, description="What to order by."
    )
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="Ascending or descending."
    )
