"""`BackfillById`: backfills by Airflow id, with their derived status."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from strawberry.dataloader import DataLoader

from backfill_gateway.db import backfills as backfill_sql
from backfill_gateway.db.airflow_schema import AirflowSchema
from backfill_gateway.db.dag_scope import DagScope
from backfill_gateway.db.session import ReadSession
from backfill_gateway.resolvers.loaders.primed_cache import PrimedCache
from backfill_gateway.resolvers.loaders.rows import load_by_key
from backfill_gateway.resolvers.records import BackfillRecord


class BackfillById(DataLoader[int, BackfillRecord | None]):
    """A backfill by its id; None when there is no such row or its DAG is out of `scope`."""

    def __init__(
        self,
        session: ReadSession,
        orphan_cutoff: datetime,
        airflow: AirflowSchema,
        scope: DagScope | None = None,
    ) -> None:
        record = partial(BackfillRecord, orphan_cutoff=orphan_cutoff)
        statement_for = partial(backfill_sql.backfills_by_id, airflow=airflow, scope=scope)
        super().__init__(
            partial(load_by_key, session, statement_for, record, "id"), cache_map=PrimedCache()
        )
