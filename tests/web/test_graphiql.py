"""The self-hosted GraphiQL page and its built assets, over HTTP against the ASGI app."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from html.parser import HTMLParser
from urllib.parse import unquote

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from backfill_gateway.app import create_app
from backfill_gateway.settings import Settings
from backfill_gateway.web import graphiql as graphiql_module
from backfill_gateway.web.graphiql import (
    ASSET_CACHE_CONTROL,
    CONTENT_SECURITY_POLICY,
    DEFAULT_QUERY,
    json_for_html,
    prefers_html,
)

BROWSER_HEADERS = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
ASSETS = "/graphiql/assets/"


class PageReferences(HTMLParser):
    """The URLs of a page's scripts and links, its endpoint and its JSON config block."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.links: list[str] = []
        self.endpoint: str | None = None
        self._in_config = False
        self.config: dict | None = None

    def handle_starttag(self, tag, attrs) -> None:
        values = dict(attrs)
        if tag == "script" and values.get("src"):
            self.scripts.append(values["src"])
        elif tag == "link":
            self.links.append(values.get("href") or "")
        if values.get("id") == "graphiql":
            self.endpoint = values.get("data-endpoint")
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


async def get_page(http: httpx.AsyncClient, path: str = "/graphql", **params) -> httpx.Response:
    response = await http.get(path, params=params, headers=BROWSER_HEADERS)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    return response


async def test_page_loads_nothing_from_outside_the_gateway(http, installed_assets):
    response = await get_page(http)
    refs = references(response.text)

    assert refs.scripts and refs.links
    for url in refs.scripts + refs.links:
        assert url.startswith(ASSETS), url
    # No absolute URL at all (so no CDN), no cookie library.
    assert re.findall(r"https?://", response.text) == []
    assert "cookie" not in response.text.lower()
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "default-src 'none'" in CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'self'" in CONTENT_SECURITY_POLICY  # Airflow's iframe
    assert "x-frame-options" not in response.headers
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
    assert "Accept" in response.headers["vary"]


async def test_page_queries_the_endpoint_with_the_default_query(http, installed_assets):
    refs = references((await get_page(http)).text)

    assert refs.endpoint == "/graphql"
    assert refs.config == {"defaultQuery": DEFAULT_QUERY}


async def test_the_default_query_runs_against_the_schema(http):
    response = await http.post("/graphql", json={"query": DEFAULT_QUERY})

    assert response.status_code == 200
    body = response.json()
    assert "errors" not in body
    assert body["data"] == {"backfills": {"totalCount": 0, "nodes": []}}


MEDIA_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
               ".ttf": "font/ttf"}  # fmt: skip


async def test_every_built_asset_and_every_reference_is_served(http, installed_assets):
    refs = references((await get_page(http)).text)
    built = sorted(p.name for p in (installed_assets.dist_dir / "assets").iterdir())
    # What the scripts and stylesheets load themselves: chunks, workers, the icon font.
    referenced = set()
    for name in built:
        if name.endswith((".js", ".css")):
            text = (installed_assets.dist_dir / "assets" / name).read_text(encoding="utf-8")
            referenced |= {found for found in built if found != name and found in text}

    assert {url.removeprefix(ASSETS) for url in refs.scripts + refs.links} <= set(built)
    assert {n for n in built if "worker" in n} <= referenced
    assert any(n.endswith(".ttf") for n in referenced)
    for name in built:
        response = await http.get(ASSETS + name)
        assert response.status_code == 200, name
        assert response.headers["content-type"] == MEDIA_TYPES[name[name.rindex(".") :]], name
        assert response.headers["cache-control"] == ASSET_CACHE_CONTROL
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.content == (installed_assets.dist_dir / "assets" / name).read_bytes()
    # The allow-list is exactly the build's output: nothing else is exposed.
    assert sorted(installed_assets.assets) == built


async def test_a_graphiql_link_opens_the_page_api_clients_get_json(http, installed_assets):
    query = "query One($n: Int) { backfills(first: $n) { totalCount } }"
    params = {"query": query, "variables": '{"n": 1}'}

    page = await get_page(http, **params)
    assert references(page.text).endpoint == "/graphql"  # the page reads ?query= itself
    for accept, media_type in [
        ("application/json", "application/json"),
        ("*/*", "application/json"),
        ("", "application/graphql-response+json"),  # as no Accept header
        ("text/html;q=0.5, application/json", "application/json"),
        ("application/graphql-response+json, text/html;q=0.9", "application/graphql-response+json"),
    ]:
        response = await http.get("/graphql", params=params, headers={"Accept": accept})
        assert response.headers["content-type"] == f"{media_type}; charset=utf-8", accept
        assert response.json()["data"] == {"backfills": {"totalCount": 0}}, accept


@pytest.mark.parametrize(
    ("accept", "html"),
    [
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", True),
        ("text/html", True),
        ("application/xhtml+xml", True),
        ("text/html, application/json", True),  # a tie: the first listed
        ("application/json, text/html", False),
        ("*/*", False),
        ("", False),
        (None, False),
        ("text/html;q=0, */*", False),
        ("text/*", False),
        ("text/html;q=0.5, */*;q=0.6", False),
        ("TEXT/HTML;Q=0.9, application/json;q=0.8", True),
        ("text/html;q=abc, */*", False),
    ],
)
def test_prefers_html(accept, html):
    assert prefers_html(accept) is html


@pytest.mark.parametrize(
    "raw_path",
    [
        "/graphiql/assets/nope.js",
        "/graphiql/assets/index.html",
        "/graphiql/assets/../index.html",
        "/graphiql/assets/..",
        "/graphiql/assets/%2e%2e",
        "/graphiql/assets/../../app.py",
        "/graphiql/assets/..%2findex.html",
        "/graphiql/assets/..%2f..%2f..%2fapp.py",
        "/graphiql/assets/..%2F..%2Fgraphiql%2Fpackage.json",
        "/graphiql/assets/..%5c..%5capp.py",
        "/graphiql/assets/.",
        "/graphiql/assets/",
        "/graphiql/assets",
        "/graphiql/index.html",
        "/graphiql/",
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


async def test_an_asset_name_in_other_case_is_404(http, installed_assets):
    name = next(n for n in installed_assets.assets if n != n.upper())
    assert (await http.get(ASSETS + name.upper())).status_code == 404


async def send_raw_get(app, raw_path: str) -> tuple[int, bytes]:
    """GET `raw_path` exactly as a server hands it to the app (percent-decoded, dot
    segments kept); httpx would resolve the dot segments before sending."""
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "server": ("gateway.test", 80), "client": ("127.0.0.1", 1234),
        "root_path": "", "path": unquote(raw_path), "raw_path": raw_path.encode(),
        "query_string": b"", "headers": [(b"host", b"gateway.test")],
    }  # fmt: skip
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


async def test_disabled_graphiql_serves_no_page_and_no_assets(empty_database_url, installed_assets):
    app = create_app(gateway_settings(empty_database_url, graphiql=False))
    async with client_for(app) as http:
        page = await http.get("/graphql", headers=BROWSER_HEADERS)
        asset = await http.get(ASSETS + next(iter(installed_assets.assets)))
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
        refs = references((await get_page(http, "/airflow/gateway/graphql")).text)
        for url in refs.scripts + refs.links:
            assert url.startswith(f"/airflow/gateway{ASSETS}"), url
            assert (await http.get(url)).status_code == 200, url
        query = await http.post(refs.endpoint, json={"query": "{ backfills { totalCount } }"})
    await app.state.engine.dispose()

    assert refs.endpoint == "/airflow/gateway/graphql"
    assert query.json()["data"] == {"backfills": {"totalCount": 0}}


async def test_without_built_files_the_page_says_how_to_build_them(
    empty_database_url, tmp_path, monkeypatch, caplog
):
    monkeypatch.setattr(graphiql_module, "DIST_DIR", tmp_path / "graphiql_dist")
    app = create_app(gateway_settings(empty_database_url))
    with caplog.at_level(logging.WARNING, logger="gateway.graphiql"):
        async with app.router.lifespan_context(app):
            async with client_for(app) as http:
                page = (await get_page(http)).text
                asset = await http.get(ASSETS + "index.js")

    assert "GraphiQL is not installed" in page and "make install" in page
    assert "<script" not in page and "<link" not in page
    assert asset.status_code == 404
    warnings = [r.getMessage() for r in caplog.records if r.name == "gateway.graphiql"]
    assert len(warnings) == 1
    assert "make install" in warnings[0] and str(tmp_path / "graphiql_dist") in warnings[0]


async def test_built_files_log_no_warning(empty_database_url, installed_assets, caplog):
    app = create_app(gateway_settings(empty_database_url))
    with caplog.at_level(logging.WARNING, logger="gateway.graphiql"):
        async with app.router.lifespan_context(app):
            pass

    assert [r for r in caplog.records if r.name == "gateway.graphiql"] == []


def test_config_json_cannot_close_its_script_element():
    encoded = json_for_html({"q": "</script><script>alert(1)</script> & <!--"})

    assert "<" not in encoded and ">" not in encoded and "&" not in encoded
    assert json.loads(encoded) == {"q": "</script><script>alert(1)</script> & <!--"}
