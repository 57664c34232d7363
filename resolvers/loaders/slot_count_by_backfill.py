"""`SlotCountByBackfill`: how many of a backfill's slots match one filter."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from strawberry.dataloader import DataLoader

from backfill_gateway.db import slots as slot_sql
from backfill_gateway.db.dag_scope import DagScope
from backfill_gateway.db.session import ReadSession
from backfill_gateway.resolvers.loaders.rows import mappings


async def _load_slot_counts(
    session: ReadSession,
    spec: slot_sql.SlotFilter,
    scope: DagScope | None,
    backfill_ids: Sequence[int],
) -> list[int]:
    rows = await mappings(session, *slot_sql.slot_counts(backfill_ids, spec, scope))
    counts = {row["backfill_id"]: row["slot_count"] for row in rows}
    return [counts.get(backfill_id, 0) for backfill_id in backfill_ids]


class SlotCountByBackfill(DataLoader[int, int]):
    """Slots matching `spec` by backfill id; one loader (one statement) per filter."""

    def __init__(
        self, session: ReadSession, spec: slot_sql.SlotFilter, scope: DagScope | None = None
    ) -> None:
        super().__init__(partial(_load_slot_counts, session, spec, scope))
