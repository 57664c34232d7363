"""An engine over the shared demo database (every backend), for the SQL builders' tests."""

from __future__ import annotations

import pytest

from backfill_gateway.db.engine import create_engine


@pytest.fixture
def airflow(demo_database):
    """The Airflow schema of the demo database (what start-up detection finds there)."""
    from tests.support.airflow_versions import airflow_schema_for

    return airflow_schema_for(demo_database.version)


@pytest.fixture
async def demo_engine(demo_database):
    engine = create_engine(demo_database.url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def make_engine():
    """Engines a test opens (autocommit, like the gateway's reads), disposed after it. Ask
    for it after the database fixture, so that its engines close before the database goes."""
    made = []

    def make(url: str, **options):
        engine = create_engine(url, autocommit=True, connect_timeout=2, **options)
        made.append(engine)
        return engine

    yield make
    for engine in made:
        await engine.dispose()
