"""`SlotById`: backfill slots (`backfill_dag_run` rows) by id, each with its dag run."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from strawberry.dataloader import DataLoader

from backfill_gateway.db import slots as slot_sql
from backfill_gateway.db.airflow_schema import AirflowSchema
from backfill_gateway.db.dag_scope import DagScope
from backfill_gateway.db.session import ReadSession
from backfill_gateway.resolvers.loaders.rows import load_by_key
from backfill_gateway.resolvers.records import SlotRecord, slot_from_mapping


def _slot(row: Mapping[str, Any]) -> SlotRecord:
    return slot_from_mapping(row, slot_sql.RUN_PREFIX)


class SlotById(DataLoader[int, SlotRecord | None]):
    """A slot by its id; None when there is no such row."""

    def __init__(
        self, session: ReadSession, airflow: AirflowSchema, scope: DagScope | None = None
    ) -> None:
        # Rows of DAGs outside `scope` are never read: they load as None, like unknown keys.
        statement_for = partial(slot_sql.slots_by_id, airflow=airflow, scope=scope)
        super().__init__(partial(load_by_key, session, statement_for, _slot, "id"))
