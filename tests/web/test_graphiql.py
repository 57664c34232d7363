"""The self-hosted GraphiQL page and its assets, over HTTP against the ASGI app."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from html.parser import HTMLParser

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from backfill_gateway.web import graphiql as graphiql_module
from backfill_gateway.app import create_app
from backfill_gateway.settings import Settings
from backfill_gateway.web.graphiql import DEFAULT_QUERY, json_for_html
from backfill_gateway.web.graphiql_assets import ASSETS, CACHE_CONTROL

BROWSER_HEADERS = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


class PageReferences(HTMLParser):
    """The URLs of a page's scripts and stylesheets, and its JSON config block."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.stylesheets: list[str] = []
        self.inline_scripts: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self._in_config = False
        self.config: dict | None = None

    def handle_starttag(self, tag, attrs) -> None:
        values = dict(attrs)
        self.attributes.extend(attrs)
        if tag == "script" and values.get("src"):
            self.scripts.append(values["src"])
        elif tag == "link":
            self.stylesheets.append(values.get("href") or "")
        self._in_config = tag == "script" and values.get("id") == "graphiql-config"

    def handle_data(self, data) -> None:
        if self._in_config:
            self.config = json.loads(data)

    def handle_endtag(self, tag) -> None:
        self._in_config = False


def references(page: str) -> PageReferences:
    parser = PageReferences()
    parser.feed(page)
    return parser


def gateway_settings(database_url: str, **overrides) -> Settings:
    return Settings(database_url=database_url, tokens="", **overrides)


def client_for(app, *, root_path: str = "") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, root_path=root_path)
    return httpx.AsyncClient(transport=transport, base_url="http://gateway.test")


@pytest.fixture
async def http(empty_database_url):
    app = create_app(gateway_settings(empty_database_url))
    async with client_for(app) as client:
        yield client
    await app.state.engine.dispose()


async def get_page(http: httpx.AsyncClient, path: str = "/graphql") -> str:
    response = await http.get(path, headers=BROWSER_HEADERS)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    return response.text


async def test_page_loads_nothing_from_outside_the_gateway(http, installed_assets):
    page = await get_page(http)
    refs = references(page)

    assert refs.scripts and refs.stylesheets
    for url in refs.scripts + refs.stylesheets:
        assert url.startswith("/graphiql/static/"), url
    # No absolute URL at all (so no CDN), no cross-origin loading, no cookie library.
    assert re.findall(r"https?://", page) == []
    assert not [name for name, _ in refs.attributes if name in ("crossorigin", "integrity")]
    assert "unpkg" not in page and "cookie" not in page.lower()


async def test_page_queries_the_endpoint_with_the_default_query(http, installed_assets):
    page = await get_page(http)
    refs = references(page)

    assert refs.config["endpoint"] == "/graphql"
    assert refs.config["defaultQuery"] == DEFAULT_QUERY
    assert "GraphiQL.createFetcher(" in page
    assert '"content-type": "application/json"' in page
    assert "isHeadersEditorEnabled: true" in page


async def test_the_default_query_runs_against_the_schema(http):
    response = await http.post("/graphql", json={"query": DEFAULT_QUERY})

    assert response.status_code == 200
    body = response.json()
    assert "errors" not in body
    assert body["data"] == {"backfills": {"totalCount": 0, "nodes": []}}


async def test_every_asset_the_page_references_is_served(http, installed_assets):
    refs = references(await get_page(http))
    expected_types = [("text/javascript", url) for url in refs.scripts] + [
        ("text/css", url) for url in refs.stylesheets
    ]

    served = set()
    for media_type, url in expected_types:
        response = await http.get(url)
        assert response.status_code == 200, url
        assert response.headers["content-type"] == f"{media_type}; charset=utf-8", url
        assert response.headers["cache-control"] == CACHE_CONTROL
        assert response.headers["x-content-type-options"] == "nosniff"
        assert len(response.content) > 1000, url
        served.add(url.removeprefix("/graphiql/static/").split("?")[0])
    # The page and the allow-list stay in step: nothing unused is exposed.
    assert served == set(ASSETS)


async def test_asset_urls_carry_the_installed_version(http, installed_assets):
    refs = references(await get_page(http))

    assert "/graphiql/static/graphiql.min.js?v=3.8.3" in refs.scripts
    assert "/graphiql/static/react.production.min.js?v=18.3.1" in refs.scripts


@pytest.mark.parametrize(
    "raw_path",
    [
        "/graphiql/static/nope.js",
        "/graphiql/static/graphiql.min.js.map",
        "/graphiql/static/package.json",
        "/graphiql/static/GRAPHIQL.MIN.JS",
        "/graphiql/static/graphiql/graphiql.min.js",
        "/graphiql/static/react/umd/react.production.min.js",
        "/graphiql/static/..",
        "/graphiql/static/%2e%2e",
        "/graphiql/static/../../app.py",
        "/graphiql/static/..%2f..%2fapp.py",
        "/graphiql/static/..%2f..%2f..%2fapp.py",
        "/graphiql/static/..%2F..%2Fgraphiql%2Fpackage.json",
        "/graphiql/static/%2e%2e%2fpackage.json",
        "/graphiql/static/..%5c..%5capp.py",
        "/graphiql/static/",
        "/graphiql/static",
    ],
)
async def test_unknown_assets_and_traversal_attempts_are_404(
    empty_database_url, installed_assets, raw_path
):
    app = create_app(gateway_settings(empty_database_url))
    status, body = await send_raw_get(app, raw_path)
    await app.state.engine.dispose()

    assert status == 404
    assert body == b"Not Found"


async def send_raw_get(app, raw_path: str) -> tuple[int, bytes]:
    """GET `raw_path` exactly as a server hands it to the app (percent-decoded, dot
    segments kept); httpx would resolve the dot segments before sending."""
    from urllib.parse import unquote

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "server": ("gateway.test", 80), "client": ("127.0.0.1", 1234),
        "root_path": "", "path": unquote(raw_path), "raw_path": raw_path.encode(),
        "query_string": b"", "headers": [(b"host", b"gateway.test")],
    }
    messages = []
    requested, response_done = False, asyncio.Event()

    async def receive():
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await response_done.wait()  # like a client that hangs up once answered
        return {"type": "http.disconnect"}

    async def send(message):
        messages.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body"):
            response_done.set()

    await app(scope, receive, send)
    status = next(m["status"] for m in messages if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return status, body


async def test_disabled_graphiql_serves_no_page_and_no_assets(empty_database_url):
    app = create_app(gateway_settings(empty_database_url, graphiql=False))
    async with client_for(app) as http:
        page = await http.get("/graphql", headers=BROWSER_HEADERS)
        asset = await http.get("/graphiql/static/graphiql.min.js")
    await app.state.engine.dispose()

    assert not page.headers["content-type"].startswith("text/html")
    assert page.status_code == 400  # a GraphQL GET without a query
    assert asset.status_code == 404


def mounted_under_prefix(app) -> tuple[Starlette, str]:
    return Starlette(routes=[Mount("/airflow/gateway", app=app)]), ""


def behind_proxy_root_path(app) -> tuple[Starlette, str]:
    return app, "/airflow/gateway"  # as `uvicorn --root-path /airflow/gateway` sets it


@pytest.mark.parametrize("deploy", [mounted_under_prefix, behind_proxy_root_path])
async def test_page_and_assets_work_under_a_path_prefix(
    empty_database_url, installed_assets, deploy
):
    app = create_app(gateway_settings(empty_database_url))
    outer, root_path = deploy(app)
    async with client_for(outer, root_path=root_path) as http:
        refs = references(await get_page(http, "/airflow/gateway/graphql"))
        for url in refs.scripts + refs.stylesheets:
            assert url.startswith("/airflow/gateway/graphiql/static/"), url
            assert (await http.get(url)).status_code == 200, url
        query = await http.post(
            refs.config["endpoint"], json={"query": "{ backfills { totalCount } }"}
        )
    await app.state.engine.dispose()

    assert refs.config["endpoint"] == "/airflow/gateway/graphql"
    assert query.json()["data"] == {"backfills": {"totalCount": 0}}


async def test_without_assets_the_page_says_how_to_install_them(
    empty_database_url, tmp_path, monkeypatch, caplog
):
    monkeypatch.setattr(graphiql_module, "NODE_MODULES_DIR", tmp_path / "graphiql" / "node_modules")
    app = create_app(gateway_settings(empty_database_url))
    with caplog.at_level(logging.WARNING, logger="gateway.graphiql"):
        async with app.router.lifespan_context(app):
            async with client_for(app) as http:
                page = await get_page(http)
                asset = await http.get("/graphiql/static/graphiql.min.js")

    assert "npm ci --prefix graphiql" in page
    assert "GraphiQL is not installed" in page
    assert "<script" not in page and "<link" not in page
    assert asset.status_code == 404
    assert "npm ci --prefix graphiql" in asset.text
    warnings = [r.getMessage() for r in caplog.records if r.name == "gateway.graphiql"]
    assert len(warnings) == 1
    assert "npm ci --prefix graphiql" in warnings[0]
    assert "graphiql/graphiql.min.js" in warnings[0]


async def test_installed_assets_log_no_warning(empty_database_url, installed_assets, caplog):
    app = create_app(gateway_settings(empty_database_url))
    with caplog.at_level(logging.WARNING, logger="gateway.graphiql"):
        async with app.router.lifespan_context(app):
            pass

    assert [r for r in caplog.records if r.name == "gateway.graphiql"] == []


def test_config_json_cannot_close_its_script_element():
    encoded = json_for_html({"q": "</script><script>alert(1)</script> & <!--"})

    assert "<" not in encoded and ">" not in encoded and "&" not in encoded
    assert json.loads(encoded) == {"q": "</script><script>alert(1)</script> & <!--"}
