"""The Airflow 2 side of `Query.backfills`: the listing statements and their records."""

from __future__ import annotations

from backfill_gateway.db.airflow2 import backfills as backfill_sql
from backfill_gateway.resolvers.airflow2.records import Airflow2BackfillRecord

# (page statement, count statement, record) as resolvers.backfills uses them.
LISTING = (backfill_sql.backfill_page, backfill_sql.count_backfills, Airflow2BackfillRecord)
