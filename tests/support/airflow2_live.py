"""A live Airflow 2 process, for the finalize tests: run as
`python -m tests.support.airflow2_live URL MODE JOB_ID`, it writes what a live process writes
every 0.3 s until killed, with the real clock, and prints `ready` after the first write.

MODE `heartbeat`: a BackfillJob's heartbeat (`job.latest_heartbeat`).
MODE `supervisor`: a LocalTaskJob's heartbeat (a running task's supervisor); the backfill
  itself waits without heartbeat (for `max_active_runs` room, NOTES.md).
MODE `progress`: the task instances the backfill queued move on (`updated_at`), with
  neither heartbeat written.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime

from sqlalchemy import update


async def main(url: str, mode: str, job_id: int) -> None:
    from backfill_gateway.db.airflow2.tables import job, task_instance
    from backfill_gateway.db.engine import create_engine

    engine = create_engine(url, pool_size=1, max_overflow=0)
    if mode in ("heartbeat", "supervisor"):
        def statement(now):
            return update(job).where(job.c.id == job_id).values(latest_heartbeat=now)
    else:
        def statement(now):
            return (
                update(task_instance)
                .where(task_instance.c.queued_by_job_id == job_id)
                .values(updated_at=now)
            )
    ready = False
    while True:
        async with engine.begin() as connection:
            await connection.execute(statement(datetime.now(UTC)))
        if not ready:
            print("ready", flush=True)
            ready = True
        await asyncio.sleep(0.3)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
