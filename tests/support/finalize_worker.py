"""A finalizer in its own OS process, for the multi-process race tests.

Runs the shared operation (resolvers.finalize, as the mutation and the CLI do)
with its own engine, round after round; every round starts at a barrier shared
with the other processes so that their transactions interleave.
"""

from __future__ import annotations

import asyncio
import traceback
from datetime import datetime


def run(url: str, now_iso: str, name: str, strategy: str, rounds: list, barrier, queue) -> None:
    """`rounds`: [(orphan ids, dag ids)]; puts ("ok", name, (calls, [(round, id, outcome)]))
    or ("error", name, traceback) on `queue`."""
    try:
        outcomes = asyncio.run(_work(url, datetime.fromisoformat(now_iso), name, strategy, rounds, barrier))
    except BaseException:  # noqa: BLE001 - reported to the parent, which fails the test
        queue.put(("error", name, traceback.format_exc()))
    else:
        queue.put(("ok", name, outcomes))


async def _work(url, now, name, strategy, rounds, barrier) -> tuple[int, list]:
    from backfill_gateway.db.airflow_schema import detect_airflow_schema
    from backfill_gateway.db.engine import create_engine
    from backfill_gateway.resolvers.auth import ADMIN
    from backfill_gateway.resolvers.context import Caller, RequestContext
    from backfill_gateway.resolvers.finalize import (
        FinalizeRequest,
        Outcome,
        finalize_orphaned_backfills,
    )
    from backfill_gateway.settings import Settings

    engine = create_engine(url, pool_size=1, max_overflow=0)
    context = RequestContext(
        settings=Settings(database_url=url, tokens=""), engine=engine, now=now,
        airflow=await detect_airflow_schema(engine), caller=Caller(name, ADMIN),
    )  # fmt: skip
    seen: list[tuple[int, int, str]] = []
    calls = 0

    async def call(round_number: int, **selection) -> set[Outcome]:
        nonlocal calls
        calls += 1
        report = await finalize_orphaned_backfills(
            context, FinalizeRequest(dry_run=False, **selection)
        )
        assert not report.user_errors, report.user_errors
        seen.extend((round_number, r.backfill_id, r.outcome.value) for r in report.results)
        return {r.outcome for r in report.results}

    async def sweep(round_number: int, dag_ids: list[str], limit: int) -> None:
        for _ in range(500):
            found = await call(round_number, dag_ids=dag_ids, limit=limit)
            if not found & {Outcome.FINALIZED, Outcome.LOCKED}:
                return
        raise AssertionError("sweep did not finish")

    try:
        async with engine.connect() as connection:  # connect before the race, not during it
            await connection.exec_driver_sql("SELECT 1")
        for round_number, (ids, dag_ids) in enumerate(rounds):
            await asyncio.to_thread(barrier.wait, 60)
            if strategy == "sweep":
                await sweep(round_number, dag_ids, limit=3)
            else:  # named ids from the other end, three at a time, then make sure
                ordered = sorted(ids, reverse=True)
                for start in range(0, len(ordered), 3):
                    await call(round_number, backfill_ids=ordered[start : start + 3])
                await sweep(round_number, dag_ids, limit=50)
    finally:
        await engine.dispose()
    return calls, seen
