"""Fixtures for the web tests: an empty Airflow database, GraphiQL's installed assets.

Self-contained on purpose: nothing here needs the demo dataset of tests/conftest.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine

from backfill_gateway.db.tables import metadata
from backfill_gateway.web.graphiql_assets import INSTALL_COMMAND, NODE_MODULES_DIR, AssetFiles


def create_empty_airflow_sqlite(path: Path) -> None:
    """Airflow's tables, no rows, in a new SQLite file."""
    engine = create_engine(f"sqlite:///{path}")
    try:
        metadata.create_all(engine)
    finally:
        engine.dispose()


@pytest.fixture
def empty_database_url(tmp_path) -> str:
    """The gateway's (async) URL of an empty Airflow database."""
    path = tmp_path / "airflow.sqlite"
    create_empty_airflow_sqlite(path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
def installed_assets() -> AssetFiles:
    """GraphiQL's browser files; the project's install step puts them there."""
    assets = AssetFiles(NODE_MODULES_DIR)
    if missing := assets.missing():
        pytest.fail(
            f"GraphiQL's assets are not installed (missing {', '.join(missing)}): "
            f"run `{INSTALL_COMMAND}`",
            pytrace=False,
        )
    return assets
