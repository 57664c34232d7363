"""A real read session over the demo database (every backend) that counts its statements."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from backfill_gateway.db.engine import create_engine
from backfill_gateway.db.session import ReadSession
from tests.conftest import FIXED_NOW


class CountingSession(ReadSession):
    """A ReadSession that remembers each statement it sent (batching is one per loader)."""

    def __init__(self, engine) -> None:
        super().__init__((engine,))
        self.sent: list = []

    async def all(self, statement, parameters=None):
        self.sent.append(statement)
        return await super().all(statement, parameters)


@pytest.fixture
async def session(demo_database) -> AsyncIterator[CountingSession]:
    engine = create_engine(demo_database.url)
    session = CountingSession(engine)
    try:
        yield session
    finally:
        await session.close()
        await engine.dispose()


@pytest.fixture
def airflow(demo_database):
    """The Airflow schema of the demo database (what start-up detection finds there)."""
    from tests.support.airflow_versions import airflow_schema_for

    return airflow_schema_for(demo_database.version)


@pytest.fixture
def dataset(demo_database):
    return demo_database.dataset


ORPHAN_CUTOFF = FIXED_NOW  # any instant: these tests compare with the Python status rule
MISSING_ID = 2_000_000_000
