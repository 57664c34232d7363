"""Rows, snapshots and calls for the finalizeOrphanedBackfills tests.

Row builders spell out every column: a multi-row INSERT takes its columns from
the first row, so a key missing there would silently drop the others' values.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import FIXED_NOW
from tests.support.airflow_versions import only_columns, tables_of

ADMIN_TOKEN, READER_TOKEN = "adm-9f1c-e2e-token", "rdr-77aa-e2e-token"
ADMIN_NAME, READER_NAME = "ops-admin", "dashboard"
TOKENS = (
    f"{ADMIN_NAME}:admin:{hashlib.sha256(ADMIN_TOKEN.encode()).hexdigest()},"
    f"{READER_NAME}:reader:{hashlib.sha256(READER_TOKEN.encode()).hexdigest()}"
)
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
READER = {"Authorization": f"Bearer {READER_TOKEN}"}
GRACE = timedelta(seconds=600)
OLD = FIXED_NOW - timedelta(days=2)  # well past the grace period

FINALIZE = """
mutation Finalize($input: FinalizeOrphanedBackfillsInput!) {
  finalizeOrphanedBackfills(input: $input) {
    dryRun now gracePeriodSeconds cutoff
    userErrors { field message code }
    results {
      backfillId outcome reason
      backfill { backfillId dagId completedAt updatedAt isPaused status }
    }
  }
}
"""


def backfill_row(
    backfill_id: int,
    *,
    dag_id: str | None = None,
    created_at: datetime = OLD,
    completed_at: datetime | None = None,
    is_paused: bool | None = False,
) -> dict[str, Any]:
    return {
        "id": backfill_id,
        "dag_id": dag_id or f"dag_{backfill_id}",
        "from_date": datetime(2026, 1, 1, tzinfo=FIXED_NOW.tzinfo),
        "to_date": datetime(2026, 1, 31, tzinfo=FIXED_NOW.tzinfo),
        "dag_run_conf": {"source": "test"},
        "is_paused": is_paused,
        "reprocess_behavior": "none",
        "max_active_runs": 4,
        "created_at": created_at,
        "completed_at": completed_at,
        "updated_at": created_at,
        "triggering_user_name": "alice",
    }


def run_row(run_id: int, backfill_id: int | None, state: str | None, dag_id: str) -> dict[str, Any]:
    # Minutes, not days: ids run to 10^5 and MySQL TIMESTAMPs end in 2038.
    logical_date = datetime(2026, 1, 1, tzinfo=FIXED_NOW.tzinfo) + timedelta(minutes=run_id)
    return {
        "id": run_id,
        "dag_id": dag_id,
        "run_id": f"backfill__{logical_date.isoformat()}",
        "state": state,
        "run_type": "backfill",
        "triggered_by": "BACKFILL",
        "logical_date": logical_date,
        "run_after": logical_date,
        "queued_at": OLD,
        "conf": {},
        "backfill_id": backfill_id,
        "clear_number": 0,
        "span_status": "not_started",
    }


def slot_row(
    slot_id: int, backfill_id: int, dag_run_id: int | None, ordinal: int = 1,
    reason: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    return {
        "id": slot_id,
        "backfill_id": backfill_id,
        "dag_run_id": dag_run_id,
        "exception_reason": reason,
        "logical_date": datetime(2026, 1, 1, tzinfo=FIXED_NOW.tzinfo) + timedelta(days=ordinal),
        "partition_key": None,
        "sort_ordinal": ordinal,
    }


async def insert_rows(
    engine: AsyncEngine,
    backfills: Iterable[dict] = (),
    runs: Iterable[dict] = (),
    slots: Iterable[dict] = (),
) -> None:
    """Rows into the database's Airflow version's tables (only the columns it has)."""
    tables = (await tables_of(engine)).tables
    async with engine.begin() as connection:
        for name, rows in (("backfill", backfills), ("dag_run", runs), ("backfill_dag_run", slots)):
            rows = only_columns(tables[name], rows)
            if rows:
                await connection.execute(insert(tables[name]), rows)


async def snapshot(engine: AsyncEngine) -> dict[str, list[tuple]]:
    """Every row of the four tables the operation may touch, in id order."""
    tables = (await tables_of(engine)).tables
    result = {}
    async with engine.connect() as connection:
        for name in ("backfill", "dag_run", "backfill_dag_run", "log"):
            table = tables[name]
            rows = await connection.execute(select(table).order_by(table.c.id))
            result[name] = [tuple(row) for row in rows]
    return result


async def backfills_by_id(engine: AsyncEngine) -> dict[int, dict]:
    backfill = (await tables_of(engine)).tables["backfill"]
    async with engine.connect() as connection:
        rows = await connection.execute(select(backfill).order_by(backfill.c.id))
        return {row.id: dict(row._mapping) for row in rows}


async def audit_log(engine: AsyncEngine) -> list[dict]:
    """`log` rows, with `extra` parsed."""
    log = (await tables_of(engine)).tables["log"]
    async with engine.connect() as connection:
        rows = await connection.execute(select(log).order_by(log.c.id))
        return [{**row._mapping, "extra": orjson.loads(row.extra)} for row in rows]


def outcomes(response) -> dict[int, str]:
    payload = response.ok()["finalizeOrphanedBackfills"]
    assert payload["userErrors"] == []
    return {result["backfillId"]: result["outcome"] for result in payload["results"]}


async def finalize(client, headers=ADMIN, **input_fields):
    return await client.graphql(FINALIZE, {"input": input_fields}, headers=headers)


@dataclass
class RaceStats:
    """How many concurrent runs a race test made, and what they reported."""

    backend: str
    test: str
    rounds: int = 0
    calls: int = 0
    outcomes: Counter = field(default_factory=Counter)
    note: str = ""

    def line(self) -> str:
        tally = ", ".join(f"{name} {count}" for name, count in sorted(self.outcomes.items()))
        return (
            f"{self.backend:<10} {self.test:<32} rounds {self.rounds:>2}, "
            f"finalize calls {self.calls:>4}; outcomes: {tally}"
            + (f"; {self.note}" if self.note else "")
        )


RACE_STATS: list[RaceStats] = []


def race_stats(backend: str, test: str) -> RaceStats:
    stats = RaceStats(backend, test)
    RACE_STATS.append(stats)
    return stats
