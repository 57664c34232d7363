"""The wheel as a user gets it: built, installed into a fresh venv outside the checkout,
served by `backfill-gateway serve` from another directory, GraphiQL and the dashboard
offline in Chromium."""

from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from tests.support.graphiql_browser import chromium_path, run_graphiql
from tests.support.server import running_server
from tests.support.wheel import PROJECT_DIR, create_venv

pytestmark = pytest.mark.slow

DIST = "backfill_gateway/web/graphiql_dist/"


def test_the_wheel_carries_the_package_and_graphiql_only(built_wheel):
    names = zipfile.ZipFile(built_wheel.path).namelist()
    top_level = {name.split("/")[0] for name in names}
    built_assets = {p.name for p in (PROJECT_DIR / "web" / "graphiql_dist" / "assets").iterdir()}

    assert top_level == {"backfill_gateway", built_wheel.path.name.split("-py")[0] + ".dist-info"}
    assert f"{DIST}index.html" in names
    assert f"{DIST}dashboard.html" in names
    assert {n.removeprefix(f"{DIST}assets/") for n in names if n.startswith(f"{DIST}assets/")} == (
        built_assets
    )
    assert not [n for n in names if "/tests/" in n or "/bench/" in n or "node_modules" in n]
    assert "backfill_gateway/web/graphiql_assets.py" not in names  # nothing stale
    assert "backfill_gateway/setup.py" not in names  # the build script is no module
    entry_points = (
        zipfile.ZipFile(built_wheel.path)
        .read(next(n for n in names if n.endswith(".dist-info/entry_points.txt")))
        .decode()
    )
    assert "backfill-gateway = backfill_gateway.cli:main" in entry_points


@pytest.fixture(scope="module")
def installed_gateway(built_wheel, tmp_path_factory) -> Path:
    """The wheel in a fresh venv outside the checkout; its bin directory."""
    return create_venv(tmp_path_factory.mktemp("wheel-venv") / "venv", str(built_wheel.path))


def test_the_installed_wheel_serves_graphiql_offline_from_any_directory(
    installed_gateway, empty_database_url, tmp_path
):
    chromium_path()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    query = "query Linked($n: Int) { backfills(first: $n) { totalCount } }"
    env = {"DATABASE_URL": empty_database_url, "TEST_SERVER_LOG": str(tmp_path / "serve.log")}
    command = (str(installed_gateway / "backfill-gateway"), "serve")
    with running_server(env, command=command, cwd=elsewhere) as (base_url, _, _):
        page = httpx.get(f"{base_url}/graphql", headers={"Accept": "text/html"})
        link = f"{base_url}/graphql?" + urlencode({"query": query, "variables": '{"n": 3}'})
        run = run_graphiql(link, tmp_path / "graphiql.png")

    assert page.status_code == 200 and 'id="graphiql"' in page.text
    # The installed package serves its own files, not the checkout's.
    location = subprocess.run(
        [str(installed_gateway / "python"), "-c", "import backfill_gateway.app as m; print(m.__file__)"],
        cwd=elsewhere, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert location.startswith(str(installed_gateway.parent)), location
    assert run.outside_requests == []
    assert run.failed_responses == [] and run.page_errors == [] and run.csp_violations == []
    assert run.query_editor.strip() == query
    assert run.variables_editor.strip() == '{"n": 3}'
    assert json.loads(run.response)["data"] == {"backfills": {"totalCount": 0}}
    assert all(r.split(" ", 1)[1].startswith(base_url) for r in run.requests)


def test_the_installed_wheel_serves_the_dashboard_offline(installed_gateway, empty_database_url, tmp_path):
    from tests.support.dashboard_browser import open_dashboard

    chromium_path()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {"DATABASE_URL": empty_database_url, "TEST_SERVER_LOG": str(tmp_path / "serve.log")}
    command = (str(installed_gateway / "backfill-gateway"), "serve")
    with running_server(env, command=command, cwd=elsewhere) as (base_url, _, _):
        with open_dashboard(f"{base_url}/dashboard") as (page, record):
            page_info = page.text_content("#page-info")

    record.assert_offline_and_clean()
    assert page_info == "0 of 0"
    assert all(r.split(" ", 1)[1].startswith(base_url) for r in record.requests)
