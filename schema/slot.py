"""`BackfillDagRun`: one date slot of a backfill, and the `dagRuns` connection over slots."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from backfill_gateway.resolvers.records import SlotRecord
from backfill_gateway.schema.dag_run import DagRun
from backfill_gateway.schema.enums import BackfillDagRunExceptionReason, DagRunState
from backfill_gateway.schema.field_plans import READS_ONLY_CONTEXT
from backfill_gateway.schema.node import Node, instances_of
from backfill_gateway.schema.pagination import Connection, Edge

if TYPE_CHECKING:
    from backfill_gateway.schema.backfill import Backfill


@strawberry.type(
    description="One date (or partition) slot of a backfill, in processing order. A slot "
    "Airflow skipped is still a slot: `isSkipped` is true, `exceptionReason` says why and "
    "`dagRun` is null."
)
class BackfillDagRun(Node):
    backfill_dag_run_id: int = strawberry.field(
        description="Airflow's integer id of the `backfill_dag_run` row. On Airflow 2, which "
        "has no such table, the id of the slot's run."
    )
    backfill_id: int = strawberry.field(description="The backfill this slot belongs to.")
    sort_ordinal: int = strawberry.field(
        description="Position in the backfill's processing order, from 1. In a reverse "
        "backfill, 1 is the latest date. On Airflow 2 the position by logical date, from 1 "
        "for the earliest, whatever the direction (see `Backfill.runBackwards`)."
    )
    logical_date: datetime | None = strawberry.field(
        description="The slot's logical date; null for partitioned DAGs."
    )
    partition_key: str | None = strawberry.field(
        description="The slot's partition, for partitioned DAGs. Recorded since Airflow 3.2 "
        "(partitioned DAGs came with it): null before."
    )
    exception_reason: BackfillDagRunExceptionReason | None = strawberry.field(
        description="Why the slot was skipped; null when it was not."
    )
    is_skipped: bool = strawberry.field(
        description="Whether Airflow skipped this slot instead of creating or reusing a run."
    )
    dag_run_id: int | None = strawberry.field(
        description="Airflow's id of the slot's run; null when skipped or the run was deleted."
    )
    dag_run: DagRun | None = strawberry.field(
        description="The slot's run; null for a skipped slot or when the run was deleted."
    )

    @strawberry.field(metadata=READS_ONLY_CONTEXT, description="The backfill this slot belongs to.")
    async def backfill(
        self, info: strawberry.Info
    ) -> Annotated["Backfill", strawberry.lazy("backfill_gateway.schema.backfill")] | None:  # noqa: UP037
        return await info.context.loaders.backfill_by_id.load(self.backfill_id)

    @strawberry.field(
        metadata=READS_ONLY_CONTEXT,
        description="For a skipped slot, the run that made Airflow skip it: the run of the "
        "same DAG and logical date (for partitioned DAGs, partition key) that was in flight "
        "(`in flight`) or already done (`already exists`), as Airflow's own lookup finds it "
        "now (latest start first). Null when the slot was not skipped or no such run exists "
        "any more; always null on Airflow 2, which never skips a date."
    )
    async def blocking_run(self, info: strawberry.Info) -> DagRun | None:
        if not self.is_skipped:
            return None
        return await info.context.loaders.blocking_run_by_slot.load(self.backfill_dag_run_id)

    is_type_of = instances_of(SlotRecord)


@strawberry.type(description="An edge of a backfill's `dagRuns` connection.")
class BackfillDagRunEdge(Edge[BackfillDagRun]):
    node: BackfillDagRun = strawberry.field(description="The slot.")


@strawberry.type(
    description="A page of a backfill's slots, in `sortOrdinal` order, skipped slots included."
)
class BackfillDagRunConnection(Connection[BackfillDagRun]):
    edges: list[BackfillDagRunEdge] = strawberry.field(description="The page's edges.")
    nodes: list[BackfillDagRun] = strawberry.field(
        description="The page's slots, without cursors (shortcut for `edges { node }`)."
    )

    @strawberry.field(
        metadata=READS_ONLY_CONTEXT,
        description="Number of slots matching the filter in the whole backfill, not the page."
    )
    async def total_count(self) -> int:
        return await self.count()


@strawberry.input(description="Which slots of a backfill to list; all conditions must hold.")
class BackfillDagRunFilter:
    states: list[DagRunState] | None = strawberry.field(
        default=None, description="Only slots whose run is in one of these states."
    )
    is_skipped: bool | None = strawberry.field(
        default=None, description="Only skipped slots (true) or only not skipped ones (false)."
    )
