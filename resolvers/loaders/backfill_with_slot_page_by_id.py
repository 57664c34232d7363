"""`BackfillWithSlotPageById`: a backfill and one page of its slots, in one statement."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import partial

from strawberry.dataloader import DataLoader

from backfill_gateway.db import slots as slot_sql
from backfill_gateway.db.airflow_schema import AirflowSchema
from backfill_gateway.db.dag_scope import DagScope
from backfill_gateway.db.session import ReadSession
from backfill_gateway.resolvers.loaders.slot_pages_by_backfill import (
    SlotPage,
    SlotPageArgs,
    read_slot_pages,
)
from backfill_gateway.resolvers.records import BackfillIdOnly, BackfillRecord

# A backfill (None when there is no such row or its DAG is out of scope) and its page.
BackfillWithSlotPage = tuple[BackfillRecord | None, SlotPage]


async def read_backfills_with_slot_pages(
    session: ReadSession,
    args: SlotPageArgs,
    orphan_cutoff: datetime,
    airflow: AirflowSchema,
    scope: DagScope | None,
    with_status: bool,
    backfill_columns: bool,
    backfill_ids: Sequence[int],
) -> list[BackfillWithSlotPage]:
    rows, pages = await read_slot_pages(
        session, args, airflow, scope, backfill_ids,
        with_backfills=True, with_status=with_status, backfill_columns=backfill_columns,
    )  # fmt: skip
    if backfill_columns:
        backfills = BackfillRecord.by_parent_id(rows, orphan_cutoff, slot_sql.PARENT_PREFIX)
    else:
        # A parent row is there for each backfill that exists and is in scope.
        backfills = BackfillIdOnly.by_parent_id(rows, slot_sql.PARENT_PREFIX)
    pairs = zip(backfill_ids, pages, strict=True)
    return [(backfills.get(backfill_id), page) for backfill_id, page in pairs]


class BackfillWithSlotPageById(DataLoader[int, BackfillWithSlotPage]):
    """A backfill by id with one page of its slots, read as `BackfillById` and
    `SlotPagesByBackfill` read them, in one statement; one loader per `SlotPageArgs`
    and `with_status` (False: the status probes are not read, the records' status is None)
    and `backfill_columns` (False: nothing of the backfill is read but that it exists and is
    in scope; its record is a BackfillIdOnly).

    For `backfill(id) { dagRuns(...) }`, whose page arguments are known before the
    backfill is read: the resolver primes both loaders with what this one read."""

    def __init__(
        self,
        session: ReadSession,
        args: SlotPageArgs,
        orphan_cutoff: datetime,
        airflow: AirflowSchema,
        scope: DagScope | None = None,
        with_status: bool = True,
        backfill_columns: bool = True,
    ) -> None:
        super().__init__(
            partial(
                read_backfills_with_slot_pages,
                session, args, orphan_cutoff, airflow, scope, with_status, backfill_columns,
            )  # fmt: skip
        )
