"""`Subscription`: live updates of backfills."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry

from backfill_gateway.resolvers import live as live_resolvers
from backfill_gateway.schema.backfill import Backfill, BackfillFilter


@strawberry.type(
    description="Live updates, over WebSocket (`graphql-transport-ws` at the GraphQL URL) or "
    "Server-Sent Events (POST with `Accept: text/event-stream`)."
)
class Subscription:
    @strawberry.subscription(
        description="First the current state of each matching backfill (one event each), then "
        "one event per change of a matching backfill: its row, any slot's run (state, dates), "
        "its runs' task instances (where the database has Airflow's `task_instance` table; "
        "on Airflow 2 the BackfillJob's heartbeat, runs and task instances). A backfill that "
        "starts matching (e.g. a new one) appears. Changes are found every "
        "GATEWAY_LIVE_POLL_SECONDS; only backfills of the caller's DAG scope are sent. Same "
        "query limits and cost as queries."
    )
    async def backfill_updates(
        self,
        info: strawberry.Info,
        filter: Annotated[
            BackfillFilter | None,
            strawberry.argument(description="Only backfills matching this filter."),
        ] = None,
    ) -> AsyncGenerator[Backfill, None]:
        async for record in live_resolvers.backfill_updates(info.context, filter):
            yield record
