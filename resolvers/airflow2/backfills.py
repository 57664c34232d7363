"""The Airflow 2 side of `Query.backfills`: the listing statement and its records."""

from __future__ import annotations

from backfill_gateway.db.airflow2 import backfills as backfill_sql
from backfill_gateway.resolvers.airflow2.records import Airflow2BackfillRecord


def backfill_listing(context):
    """(statement builder, record builder) for resolvers.backfills.list_backfills."""
    return backfill_sql.backfill_page, Airflow2BackfillRecord
