"""`BlockingRunBySlot`: for a skipped slot, the run that made Airflow skip it."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from strawberry.dataloader import DataLoader

from backfill_gateway.db import blocking_runs as blocking_run_sql
from backfill_gateway.db.airflow_schema import AirflowSchema
from backfill_gateway.db.dag_scope import DagScope
from backfill_gateway.db.session import ReadSession
from backfill_gateway.resolvers.loaders.rows import load_by_key
from backfill_gateway.resolvers.records import DagRunRecord


def _run(row: Mapping[str, Any]) -> DagRunRecord:
    return DagRunRecord(row)


class BlockingRunBySlot(DataLoader[int, DagRunRecord | None]):
    """The blocking run by slot id (`backfill_dag_run.id`); None when the slot was not
    skipped, no such run exists any more, or the slot's DAG is out of `scope`."""

    def __init__(
        self, session: ReadSession, airflow: AirflowSchema, scope: DagScope | None = None
    ) -> None:
        statement_for = partial(
            blocking_run_sql.blocking_runs_by_slot, airflow=airflow, scope=scope
        )
        super().__init__(
            partial(load_by_key, session, statement_for, _run, blocking_run_sql.SLOT_ID)
        )
