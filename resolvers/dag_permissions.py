"""Per-DAG write permissions decided outside the gateway (Airflow's auth manager).

A caller that carries `DagRunPermissions` (the Airflow plugin's users) may finalize a
backfill only when it may edit its DAG's runs, which is what Airflow's own cancel-backfill
endpoint requires. The check happens before the write transaction, for every backfill the
call would consider; the transaction then keeps to the checked DAGs, so a backfill that
appears in between in another DAG is not touched.
"""

from __future__ import annotations

from collections.abc import Set
from typing import Protocol

from backfill_gateway.db import finalize as finalize_sql
from backfill_gateway.db.dag_scope import DagScope
from backfill_gateway.resolvers.errors import Forbidden


class DagRunPermissions(Protocol):
    """What a caller may do to DAG runs, answered by an external authority."""

    async def may_edit_any(self) -> bool:
        """Whether the caller may edit the runs of at least one DAG."""
        ...

    async def editable(self, dag_ids: Set[str]) -> set[str]:
        """Those of `dag_ids` whose runs the caller may edit."""
        ...


async def require_edit_permission(permissions: DagRunPermissions, action: str) -> None:
    """FORBIDDEN for a caller who may not edit any DAG's runs, before input is looked at."""
    if not await permissions.may_edit_any():
        raise Forbidden(f"{action} needs permission to edit DAG runs; Airflow grants you none.")


async def checked_edit_scope(context, request, action: str) -> DagScope:
    """The DAGs of every backfill `request` would consider, all of which the caller may
    edit, as the scope of the write transaction; FORBIDDEN naming the others."""
    scopes = (context.caller.dag_scope, context.caller.edit_scope)
    statement = finalize_sql.touched_dag_ids(
        request.backfill_ids, request.dag_ids, request.limit, scopes
    )
    touched = {row.dag_id for row in await context.session.all(statement)}
    refused = touched - await context.caller.permissions.editable(touched)
    if refused:
        raise Forbidden(
            f"{action} needs permission to edit the runs of every DAG it touches; Airflow "
            f"refuses it for {', '.join(sorted(refused))}."
        )
    return DagScope(dag_ids=tuple(sorted(touched)))
