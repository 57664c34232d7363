"""`SlotCountByBackfill`: how many of a backfill's slots match one filter."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

from sqlalchemy import Select
from strawberry.dataloader import DataLoader

from backfill_gateway.db import slots as slot_sql
from backfill_gateway.db.dag_scope import DagScope
from backfill_gateway.db.session import ReadSession
from backfill_gateway.resolvers.loaders.rows import mappings

# (backfill ids, filter, scope) -> (statement, parameters): one count row per backfill.
SlotCountStatement = Callable[
    [Sequence[int], slot_sql.SlotFilter, DagScope | None], tuple[Select, dict]
]


async def _load_slot_counts(
    session: ReadSession,
    statement_for: SlotCountStatement,
    spec: slot_sql.SlotFilter,
    scope: DagScope | None,
    backfill_ids: Sequence[int],
) -> list[int]:
    rows = await mappings(session, *statement_for(backfill_ids, spec, scope))
    counts = {row["backfill_id"]: row["slot_count"] for row in rows}
    return [counts.get(backfill_id, 0) for backfill_id in backfill_ids]


class SlotCountByBackfill(DataLoader[int, int]):
    """Slots matching `spec` by backfill id; one loader (one statement) per filter."""

    def __init__(
        self,
        session: ReadSession,
        spec: slot_sql.SlotFilter,
        scope: DagScope | None = None,
        statement_for: SlotCountStatement = slot_sql.slot_counts,
    ) -> None:
        super().__init__(partial(_load_slot_counts, session, statement_for, spec, scope))
