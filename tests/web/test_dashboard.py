"""The dashboard page and its built assets, over HTTP against the ASGI app (the browser
tests are in test_dashboard_browser.py)."""

from __future__ import annotations

import logging
import re
from html.parser import HTMLParser
from urllib.parse import urljoin

import httpx
import pytest

from backfill_gateway.app import create_app
from backfill_gateway.settings import Settings
from backfill_gateway.web import dashboard as dashboard_module
from backfill_gateway.web.built_assets import ASSET_CACHE_CONTROL, MEDIA_TYPES
from backfill_gateway.web.dashboard import CONTENT_SECURITY_POLICY, Dashboard
from tests.web.test_graphiql import behind_proxy_root_path, mounted_under_prefix

BASE = "http://gateway.test"


class PageReferences(HTMLParser):
    """The URLs a page loads (scripts, links) and its body's `data-endpoint`."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.endpoint: str | None = None

    def handle_starttag(self, tag, attrs) -> None:
        values = dict(attrs)
        if tag == "script" and values.get("src"):
            self.urls.append(values["src"])
        elif tag == "link" and values.get("href"):
            self.urls.append(values["href"])
        elif tag == "body":
            self.endpoint = values.get("data-endpoint")


def references(page: str) -> PageReferences:
    parser = PageReferences()
    parser.feed(page)
    return parser


def settings_for(database_url: str, **overrides) -> Settings:
    return Settings(database_url=database_url, tokens="", **overrides)


def client_for(app, *, root_path: str = "") -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, root_path=root_path), base_url=BASE
    )


@pytest.fixture
def installed_dashboard() -> Dashboard:
    dashboard = Dashboard()
    if not dashboard.installed:
        pytest.fail(f"the dashboard is not built in {dashboard.dist_dir}: run `make install`")
    return dashboard


@pytest.fixture
async def http(empty_database_url):
    app = create_app(settings_for(empty_database_url))
    async with client_for(app) as client:
        yield client
    await app.state.engine.dispose()


async def test_the_page_loads_only_its_own_assets_by_relative_urls(http, installed_dashboard):
    response = await http.get("/dashboard")
    refs = references(response.text)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert refs.urls and refs.endpoint == "graphql"
    for url in refs.urls:
        assert url.startswith("dashboard/assets/"), url  # relative: any prefix works
    assert re.findall(r"(?:https?|wss?)://", response.text) == []  # no CDN, no fixed host
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "default-src 'none'" in CONTENT_SECURITY_POLICY
    assert "script-src 'self';" in CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"


async def test_every_asset_the_page_loads_is_served_immutable(http, installed_dashboard):
    page = await http.get("/dashboard")
    urls = [urljoin(f"{BASE}/dashboard", url) for url in references(page.text).urls]
    # The entry script's own imports (chunks shared with nothing else).
    entry = next(url for url in urls if url.endswith(".js"))
    entry_text = (await http.get(entry)).text
    urls += [urljoin(entry, found) for found in re.findall(r'"\./([\w.-]+\.js)"', entry_text)]

    for url in urls:
        response = await http.get(url)
        name = url.rsplit("/", 1)[1]
        assert response.status_code == 200, url
        assert response.headers["content-type"] == MEDIA_TYPES[name[name.rindex(".") :]]
        assert response.headers["cache-control"] == ASSET_CACHE_CONTROL
        assert response.content == (installed_dashboard.dist_dir / "assets" / name).read_bytes()


@pytest.mark.parametrize("name", ["nope.js", "..%2Fdashboard.html", "DASHBOARD.JS"])
async def test_only_built_assets_are_served(http, installed_dashboard, name):
    assert (await http.get(f"/dashboard/assets/{name}")).status_code == 404


@pytest.mark.parametrize("deploy", [mounted_under_prefix, behind_proxy_root_path])
async def test_the_page_its_assets_and_its_endpoint_work_under_a_path_prefix(
    empty_database_url, installed_dashboard, deploy
):
    app = create_app(settings_for(empty_database_url))
    outer, root_path = deploy(app)
    page_url = f"{BASE}/airflow/gateway/dashboard"
    async with client_for(outer, root_path=root_path) as http:
        page = await http.get(page_url)
        refs = references(page.text)
        assets = [await http.get(urljoin(page_url, url)) for url in refs.urls]
        # The page resolves its endpoint against its own URL, as a browser does.
        endpoint = urljoin(page_url, refs.endpoint)
        query = await http.post(endpoint, json={"query": "{ backfills { totalCount } }"})
    await app.state.engine.dispose()

    assert page.status_code == 200
    assert [a.status_code for a in assets] == [200] * len(refs.urls)
    assert endpoint == f"{BASE}/airflow/gateway/graphql"
    assert query.json()["data"] == {"backfills": {"totalCount": 0}}


async def test_a_disabled_dashboard_serves_no_page(empty_database_url, installed_dashboard):
    app = create_app(settings_for(empty_database_url, dashboard=False))
    async with client_for(app) as http:
        page = await http.get("/dashboard")
        asset = await http.get(f"/dashboard/assets/{next(iter(installed_dashboard.assets))}")
    await app.state.engine.dispose()

    assert page.status_code == 404 and asset.status_code == 404


async def test_without_built_files_the_page_says_how_to_build_them(
    empty_database_url, tmp_path, monkeypatch, caplog
):
    monkeypatch.setattr(dashboard_module, "DIST_DIR", tmp_path / "graphiql_dist")
    app = create_app(settings_for(empty_database_url))
    with caplog.at_level(logging.WARNING, logger="gateway.dashboard"):
        async with app.router.lifespan_context(app):
            async with client_for(app) as http:
                page = await http.get("/dashboard")

    assert page.status_code == 200
    assert "not installed" in page.text and "make install" in page.text
    assert "<script" not in page.text
    warnings = [r.getMessage() for r in caplog.records if r.name == "gateway.dashboard"]
    assert len(warnings) == 1 and "make install" in warnings[0]
