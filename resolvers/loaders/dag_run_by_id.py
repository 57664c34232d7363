"""`DagRunById`: dag runs by Airflow id."""

from __future__ import annotations

from functools import partial

from strawberry.dataloader import DataLoader

from backfill_gateway.db import dag_runs as dag_run_sql
from backfill_gateway.db.airflow_schema import AirflowSchema
from backfill_gateway.db.dag_scope import DagScope
from backfill_gateway.db.session import ReadSession
from backfill_gateway.resolvers.loaders.rows import load_by_key
from backfill_gateway.resolvers.records import DagRunRecord


class DagRunById(DataLoader[int, DagRunRecord | None]):
    """A dag run by its id; None when there is no such row."""

    def __init__(
        self, session: ReadSession, airflow: AirflowSchema, scope: DagScope | None = None
    ) -> None:
        # Rows of DAGs outside `scope` are never read: they load as None, like unknown keys.
        statement_for = partial(dag_run_sql.dag_runs_by_id, airflow=airflow, scope=scope)
        super().__init__(partial(load_by_key, session, statement_for, DagRunRecord, "dag_run_id"))
