"""The app keeps the cyclic GC off the hot path: what is alive after start-up is frozen
(collections no longer walk it), and young collections are rare. That requests free
their records without the cyclic GC is tests/resolvers/test_request_memory.py's."""

from __future__ import annotations

import gc

from backfill_gateway.app import create_app
from backfill_gateway.settings import Settings
from tests.web.conftest import create_empty_airflow_sqlite


async def test_objects_alive_after_start_up_are_frozen_and_young_collections_are_rarer(tmp_path):
    thresholds = gc.get_threshold()
    # Start-up detects the Airflow schema: an empty Airflow database, not an empty file.
    create_empty_airflow_sqlite(tmp_path / "empty.sqlite")
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'empty.sqlite'}"))
    try:
        async with app.router.lifespan_context(app):
            # The app's long-lived objects (the app, its schema) left the collected generations...
            assert gc.get_freeze_count() > 0
            long_lived = (app, app.state.schema)
            assert not any(any(o is kept for kept in long_lived) for o in gc.get_objects())
            # ...and thousands of new container objects (the default threshold is 700) do
            # not set off a young collection.
            gc.collect()  # the young generation starts empty
            before = gc.get_stats()[0]["collections"]
            kept = [[] for _ in range(5_000)]
            assert gc.get_stats()[0]["collections"] == before
            del kept
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
