"""`Query`: the entry points of the graph."""

from __future__ import annotations

from typing import Annotated

import strawberry

from backfill_gateway.resolvers import backfills as backfill_resolvers
from backfill_gateway.resolvers import nodes as node_resolvers
from backfill_gateway.resolvers.backfills import ORDER_FIELDS
from backfill_gateway.schema.airflow import AirflowInfo
from backfill_gateway.schema.arguments import After, Before, First, Last
from backfill_gateway.schema.backfill import (
    Backfill,
    BackfillConnection,
    BackfillFilter,
    BackfillOrder,
    reads_backfill_row,
    requested_dag_runs_page,
)
from backfill_gateway.schema.backfill_nodes import written_node_fields
from backfill_gateway.schema.enums import OrderDirection
from backfill_gateway.schema.node import Node
from backfill_gateway.schema.selections import document_selects

GlobalIdArgument = Annotated[strawberry.ID, strawberry.argument(description="A global ID.")]


@strawberry.type(description="Reads over Airflow's backfills, their slots and runs.")
class Query:
    @strawberry.field(
        description="A backfill by global ID; null when it does not exist or its DAG is outside "
        "the caller's DAG scope. An ID that is "
        "malformed or names another type is a BAD_USER_INPUT error."
    )
    async def backfill(
        self,
        info: strawberry.Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The backfill's global ID.")],
    ) -> Backfill | None:
        # With its `dagRuns` page when the query asks for one: one statement for both,
        # the status probes in it only when the request selects a status (as a listing),
        # the backfill's columns only when anything may read them.
        return await backfill_resolvers.get_backfill(
            info.context,
            id,
            dag_runs=requested_dag_runs_page(info),
            with_status=document_selects(info, "status"),
            backfill_columns=reads_backfill_row(info),
        )

    @strawberry.field(
        description="Backfills, filtered and ordered, as a cursor connection; only those of "
        "the caller's DAGs when its token is scoped."
    )
    async def backfills(
        self,
        info: strawberry.Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: Annotated[
            BackfillFilter | None,
            strawberry.argument(description="Only backfills matching this filter."),
        ] = None,
        order_by: Annotated[
            BackfillOrder | None,
            strawberry.argument(description="Listing order; by id ascending when omitted."),
        ] = None,
    ) -> BackfillConnection:
        order = order_by or BackfillOrder()
        return await backfill_resolvers.list_backfills(
            info.context,
            first=first,
            after=after,
            last=last,
            before=before,
            filter_input=filter,
            order_field=ORDER_FIELDS[order.field.value],
            descending=order.direction is OrderDirection.DESC,
            # The status probes cost the database most of a listing's time: read only
            # when the request selects a status (the listing's records are shared).
            with_status=document_selects(info, "status"),
            # Nodes PostgreSQL writes, when the executor takes them (web.execution.fast_path).
            written_nodes=(
                written_node_fields(info) if info.context.written_nodes else None
            ),
        )

    @strawberry.field(
        description="Any object by global ID (Relay); null when it does not exist or belongs to a "
        "DAG outside the caller's DAG scope. A malformed "
        "ID is a BAD_USER_INPUT error."
    )
    async def node(self, info: strawberry.Info, id: GlobalIdArgument) -> Node | None:
        return await node_resolvers.get_node(info.context, id)

    @strawberry.field(
        description="Which Airflow's schema the database has (detected at start-up). Fields "
        "whose column that version does not record are null."
    )
    def airflow(self, info: strawberry.Info) -> AirflowInfo:
        schema = info.context.airflow
        return AirflowInfo(version=schema.version, schema_revision=schema.revision)
