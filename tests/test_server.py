"""The gateway as a real process: `uvicorn app:app` from the checkout, and the
installed `backfill-gateway serve` from anywhere, with no configuration."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
import pytest

from tests.support.server import running_server

pytestmark = pytest.mark.slow


def test_unconfigured_server_creates_and_serves_the_embedded_demo(tmp_path):
    demo_path = tmp_path / "demo.sqlite"
    with running_server({"GATEWAY_DEMO_DATABASE_PATH": str(demo_path)}) as (url, _, _):
        assert demo_path.exists(), "the demo database is created on first start"
        response = httpx.post(
            f"{url}/graphql",
            json={"query": "{ backfills(first: 100) { totalCount nodes { status dagRuns(first: 1) { totalCount } } } }"},
            timeout=30,
        )
        assert response.status_code == 200
        listing = response.json()["data"]["backfills"]
        assert listing["totalCount"] >= 20
        assert {node["status"] for node in listing["nodes"]} >= {"RUNNING", "COMPLETED", "ORPHANED"}
        assert max(node["dagRuns"]["totalCount"] for node in listing["nodes"]) >= 1000
        assert httpx.get(f"{url}/healthz").status_code == 200
        page = httpx.get(f"{url}/graphql", headers={"Accept": "text/html"})
        assert page.status_code == 200 and "graphiql" in page.text.lower()


def test_installed_command_serves_from_any_directory(tmp_path):
    """`backfill-gateway serve` needs no checkout: it imports the one installed package."""
    demo_path = tmp_path / "demo.sqlite"
    command = (str(Path(sys.executable).with_name("backfill-gateway")), "serve")
    with running_server(
        {"GATEWAY_DEMO_DATABASE_PATH": str(demo_path)}, command=command, cwd=tmp_path
    ) as (url, _, log_path):
        response = httpx.post(f"{url}/graphql", json={"query": "{ backfills(first: 1) { totalCount } }"})
        assert response.status_code == 200
        assert response.json()["data"]["backfills"]["totalCount"] >= 20
    # logging.json ships with the package: uvicorn's own lines are JSON too.
    first_line = log_path.read_text().splitlines()[0]
    assert first_line.startswith("{") and '"logger"' in first_line, first_line


def test_a_database_that_is_not_airflows_stops_the_server_with_the_reason(tmp_path):
    path = tmp_path / "other.sqlite"
    import sqlite3

    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY)")
    with pytest.raises(RuntimeError, match="server exited") as stopped:
        with running_server({"DATABASE_URL": f"sqlite:///{path}"}, timeout=30):
            pass
    assert "is not an Airflow metadata database" in str(stopped.value)


def test_several_workers_create_the_embedded_demo_once_and_all_start(tmp_path):
    """`serve --workers 2` on a machine without the demo file: both workers start at once;
    one builds the file while the other waits for it (demo.loading.demo_creation_lock)."""
    demo_path = tmp_path / "demo.sqlite"
    command = (str(Path(sys.executable).with_name("backfill-gateway")), "serve")
    with running_server(
        {"GATEWAY_DEMO_DATABASE_PATH": str(demo_path)}, command=command, args=("--workers", "2")
    ) as (url, _, log_path):
        for _ in range(4):  # new connections: either worker may answer
            with httpx.Client() as client:
                response = client.post(
                    f"{url}/graphql", json={"query": "{ backfills(first: 1) { totalCount } }"}
                )
            assert response.status_code == 200
            assert response.json()["data"]["backfills"]["totalCount"] >= 20
        pids = {line.split('"pid":')[1].split("}")[0] for line in log_path.read_text().splitlines()
                if '"Application startup complete."' in line}  # fmt: skip
        assert len(pids) == 2, log_path.read_text()[-2000:]
