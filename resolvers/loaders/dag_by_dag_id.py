"""`DagByDagId`: rows of Airflow's `dag` table by dag_id."""

from __future__ import annotations

from functools import partial

from strawberry.dataloader import DataLoader

from backfill_gateway.db import dags as dag_sql
from backfill_gateway.db.airflow_schema import AirflowSchema
from backfill_gateway.db.dag_scope import DagScope
from backfill_gateway.db.session import ReadSession
from backfill_gateway.resolvers.loaders.rows import load_by_key
from backfill_gateway.resolvers.records import DagRecord


class DagByDagId(DataLoader[str, DagRecord | None]):
    """A DAG by its dag_id; None when its `dag` row is gone."""

    def __init__(
        self, session: ReadSession, airflow: AirflowSchema, scope: DagScope | None = None
    ) -> None:
        # Rows of DAGs outside `scope` are never read: they load as None, like unknown keys.
        statement_for = partial(dag_sql.dags_by_id, airflow=airflow, scope=scope)
        super().__init__(partial(load_by_key, session, statement_for, DagRecord, "dag_id"))
