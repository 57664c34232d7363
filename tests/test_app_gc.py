"""The app tunes the garbage collector when it starts."""

from __future__ import annotations

import gc

from backfill_gateway.app import create_app
from backfill_gateway.settings import Settings


async def test_start_up_freezes_objects_and_makes_collections_rarer(tmp_path):
    thresholds = gc.get_threshold()
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'empty.sqlite'}"))
    try:
        async with app.router.lifespan_context(app):
            assert gc.get_freeze_count() > 0
            assert gc.get_threshold() == (100_000, 20, 1000)
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
