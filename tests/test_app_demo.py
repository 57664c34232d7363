"""Start-up on the embedded demo (app.py): a missing demo is built under the creation lock
(tests/test_server.py starts two workers on one), a current one is used as it is, without
the lock and without writing a lock file beside it."""

from __future__ import annotations

import gc
from pathlib import Path

from backfill_gateway.app import create_app
from backfill_gateway.demo import create_demo_database
from backfill_gateway.settings import Settings


async def start_and_stop(demo_path: Path) -> None:
    thresholds = gc.get_threshold()
    settings = Settings(
        database_url=None, airflow_sql_alchemy_conn=None, demo_database_path=demo_path
    )
    assert settings.uses_embedded_demo
    app = create_app(settings)
    try:
        async with app.router.lifespan_context(app):
            pass
    finally:  # start-up freezes what is alive and tunes the GC (web/gc_tuning.py)
        gc.unfreeze()
        gc.set_threshold(*thresholds)


async def test_a_missing_demo_is_built_at_start_up_under_the_lock(tmp_path):
    demo_path = tmp_path / "demo.sqlite"
    await start_and_stop(demo_path)
    assert demo_path.exists()
    assert Path(f"{demo_path}.lock").exists()


async def test_a_current_demo_is_used_without_the_lock(tmp_path):
    demo_path = tmp_path / "demo.sqlite"
    await create_demo_database(demo_path)
    built = demo_path.stat()
    await start_and_stop(demo_path)
    assert not Path(f"{demo_path}.lock").exists()
    kept = demo_path.stat()
    assert (kept.st_ino, kept.st_mtime_ns) == (built.st_ino, built.st_mtime_ns)  # not rebuilt
