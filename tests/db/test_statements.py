"""The one statement recorder: what ran in a context, recordings nested, others not seen."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from backfill_gateway.db.engine import create_engine
from backfill_gateway.db.statements import recording_statements


async def test_recordings_see_their_context_and_nest(tmp_path):
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite'}")

    async def run(sql: str) -> None:
        async with engine.connect() as connection:
            await connection.execute(text(sql))

    try:
        await run("SELECT 0")  # outside any recording
        with recording_statements() as outer:
            await run("SELECT 1")
            with recording_statements() as inner:
                await asyncio.gather(asyncio.create_task(run("SELECT 2")))  # a spawned task
            await run("SELECT 3")
        await run("SELECT 4")  # after both
        try:
            with recording_statements() as failed:
                await run("SELECT 5")
                raise RuntimeError("the unit of work fails")
        except RuntimeError:
            pass
        await run("SELECT 6")  # a recording left by an exception records no more
        assert failed.statements == ["SELECT 5"]
        assert inner.statements == ["SELECT 2"]
        assert outer.statements == ["SELECT 1", "SELECT 2", "SELECT 3"]
        assert outer.count == 3
    finally:
        await engine.dispose()
