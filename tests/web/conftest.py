"""Fixtures for the web tests: an empty Airflow database, GraphiQL's built files.

Self-contained on purpose: nothing here needs the demo dataset of tests/conftest.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine

from backfill_gateway.db.tables import metadata
from backfill_gateway.web.graphiql import BUILD_COMMAND, GraphiQL


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
def installed_assets() -> GraphiQL:
    """GraphiQL's built browser files; the project's install step builds them."""
    graphiql = GraphiQL()
    if not graphiql.installed:
        pytest.fail(
            f"GraphiQL's browser files are not built in {graphiql.dist_dir}: run `{BUILD_COMMAND}`",
            pytrace=False,
        )
    return graphiql
