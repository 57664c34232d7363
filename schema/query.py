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
    dag_runs_lookahead,
    reads_backfill_row,
)
from backfill_gateway.schema.backfill_nodes import written_node_fields
from backfill_gateway.schema.enums import OrderDirection
from backfill_gateway.schema.field_plans import READS_ONLY_CONTEXT, PlannedResolver, planned
from backfill_gateway.schema.lru import LruCache
from backfill_gateway.schema.node import Node
from backfill_gateway.schema.selections import document_selects, operation_key, root_field_count

GlobalIdArgument = Annotated[strawberry.ID, strawberry.argument(description="A global ID.")]


@strawberry.type(description="Reads over Airflow's backfills, their slots and runs.")
class Query:
    @strawberry.field(
        metadata=planned(lambda info: _plan_backfill(info)),
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
        # the backfill's columns only when anything may read them (see _plan_backfill).
        resolve = _plan_backfill(info)
        return await resolve(self, info.context, {"id": id}, info._raw_info.variable_values)

    @strawberry.field(
        metadata=planned(lambda info: _plan_backfills(info)),
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
        resolve = _plan_backfills(info)
        arguments = {
            "first": first, "after": after, "last": last, "before": before,
            "filter": filter, "order_by": order_by,
        }  # fmt: skip
        return await resolve(self, info.context, arguments, info._raw_info.variable_values)

    @strawberry.field(
        metadata=READS_ONLY_CONTEXT,
        description="Any object by global ID (Relay); null when it does not exist or belongs to a "
        "DAG outside the caller's DAG scope. A malformed "
        "ID is a BAD_USER_INPUT error."
    )
    async def node(self, info: strawberry.Info, id: GlobalIdArgument) -> Node | None:
        return await node_resolvers.get_node(info.context, id)

    @strawberry.field(
        metadata=READS_ONLY_CONTEXT,
        description="Which Airflow's schema the database has (detected at start-up). Fields "
        "whose column that version does not record are null."
    )
    def airflow(self, info: strawberry.Info) -> AirflowInfo:
        schema = info.context.airflow
        return AirflowInfo(version=schema.version, schema_revision=schema.revision)


# The fast path's plans of the fields above (schema/field_plans.py): what the resolvers
# read of the document, found once per document.


def _plan_backfill(info: strawberry.Info) -> PlannedResolver:
    lookahead = dag_runs_lookahead(info)
    with_status = document_selects(info, "status")
    backfill_columns = reads_backfill_row(info)
    # The only `backfill` root field: no other lookup can share its statement.
    batched = not _sole_backfill_root_field(info)
    get_backfill = backfill_resolvers.get_backfill

    def resolve(_root, context, arguments, variables):
        return get_backfill(
            context,
            arguments["id"],
            dag_runs=lookahead.page(variables) if lookahead is not None else None,
            with_status=with_status,
            backfill_columns=backfill_columns,
            batched=batched,
        )

    return resolve


_sole_backfill_by_operation: LruCache[tuple[str, str | None], bool] = LruCache(1024)


def _sole_backfill_root_field(info: strawberry.Info) -> bool:
    key = operation_key(info)
    if key is None:
        return root_field_count(info, "backfill") == 1
    return _sole_backfill_by_operation.get_or_compute(
        key, lambda: root_field_count(info, "backfill") == 1
    )


def _plan_backfills(info: strawberry.Info) -> PlannedResolver:
    with_status = document_selects(info, "status")
    node_fields = written_node_fields(info)
    list_backfills = backfill_resolvers.list_backfills

    def resolve(_root, context, arguments, _variables):
        get = arguments.get
        order = get("order_by") or BackfillOrder()
        # The status probes cost the database most of a listing's time: read only when
        # the request selects a status (the listing's records are shared). Nodes
        # PostgreSQL writes, when the executor takes them (web.execution.fast_path).
        return list_backfills(
            context,
            first=get("first"),
            after=get("after"),
            last=get("last"),
            before=get("before"),
            filter_input=get("filter"),
            order_field=ORDER_FIELDS[order.field.value],
            descending=order.direction is OrderDirection.DESC,
            with_status=with_status,
            written_nodes=node_fields if context.written_nodes else None,
        )

    return resolve
