"""Session set-up of the gateway's engines (db.engine.create_engine)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from backfill_gateway.db.engine import create_engine


@pytest.mark.parametrize("demo_database", ["postgresql"], indirect=True)
@pytest.mark.parametrize("statement_timeout", [0, 2.5])
async def test_postgresql_sessions_run_without_jit(demo_database, statement_timeout):
    """The status probes are costed per row: with JIT on, ~10 ms statements on large data
    crossed jit_above_cost and spent most of a second compiling."""
    engine = create_engine(demo_database.url, statement_timeout=statement_timeout)
    try:
        async with engine.connect() as connection:
            jit = (await connection.execute(text("SHOW jit"))).scalar_one()
            timeout = (await connection.execute(text("SHOW statement_timeout"))).scalar_one()
    finally:
        await engine.dispose()
    assert jit == "off"
    assert timeout == ("2500ms" if statement_timeout else "0")
