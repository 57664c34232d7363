"""Relay `Query.node`: any object by its global ID."""

from __future__ import annotations

from typing import Any

from backfill_gateway.resolvers.context import RequestContext
from backfill_gateway.resolvers.global_ids import BACKFILL, DAG, DAG_RUN, SLOT, decode_global_id


async def get_node(context: RequestContext, global_id: str) -> Any:
    """The object a global ID names, or None when it no longer exists."""
    decoded = decode_global_id(global_id)
    loaders = context.loaders
    loader = {
        BACKFILL: loaders.backfill_by_id,
        SLOT: loaders.slot_by_id,
        DAG_RUN: loaders.dag_run_by_id,
        DAG: loaders.dag_by_dag_id,
    }[decoded.type_name]
    return await loader.load(decoded.key)
