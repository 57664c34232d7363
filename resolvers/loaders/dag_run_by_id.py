"""`DagRunById`: dag runs by Airflow id."""

from __future__ import annotations

from functools import partial

from strawberry.dataloader import DataLoader

from backfill_gateway.db import dag_runs as dag_run_sql
from backfill_gateway.db.session import ReadSession
from backfill_gateway.resolvers.loaders.rows import load_by_key
from backfill_gateway.resolvers.records import DagRunRecord


class DagRunById(DataLoader[int, DagRunRecord | None]):
    """A dag run by its id; None when there is no such row."""

    def __init__(self, session: ReadSession) -> None:
        super().__init__(
            partial(load_by_key, session, dag_run_sql.dag_runs_by_id, DagRunRecord, "dag_run_id")
        )
