"""GraphQLRoute: GraphQL's GET and POST skip Starlette's router; the rest does not."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.routing import Mount, Router

from backfill_gateway.web.graphql_route import IndexedHeaders
from backfill_gateway.web.route_path import route_path
from tests.http.conftest import post

QUERY = "{ backfills(first: 1) { nodes { backfillId } } }"


@pytest.fixture
def router_calls(monkeypatch) -> list[tuple[Router, str, str]]:
    """Every call of a Starlette router: (router, scope type, path)."""
    calls: list[tuple[Router, str, str]] = []
    original = Router.__call__

    async def recorded(self, scope, receive, send):
        calls.append((self, scope["type"], scope["path"]))
        await original(self, scope, receive, send)

    monkeypatch.setattr(Router, "__call__", recorded)
    return calls


async def test_graphql_post_and_get_do_not_reach_the_router(make_gateway, router_calls):
    client = make_gateway()
    answered = await post(client, QUERY)
    assert answered.status_code == 200
    assert answered.json()["data"]["backfills"]["nodes"]
    assert "x-request-id" in answered.headers  # the middleware above still sees it
    got = await client.http.get("/graphql", params={"query": QUERY}, headers={"accept": "application/json"})
    assert got.status_code == 200
    assert got.json()["data"] == answered.json()["data"]
    assert router_calls == []
    # Every other path still goes through the router.
    assert (await client.http.get("/healthz")).status_code == 200
    assert [(kind, path) for _, kind, path in router_calls] == [("http", "/healthz")]


async def test_other_methods_get_the_routes_405(make_gateway, router_calls):
    client = make_gateway()
    response = await client.http.put("/graphql", json={"query": QUERY})
    assert response.status_code == 405
    # The Route's own answer (Starlette lists the methods in no fixed order).
    assert set(response.headers["allow"].split(", ")) == {"HEAD", "GET", "POST"}
    assert [path for _, _, path in router_calls] == ["/graphql"]


async def test_mounted_under_a_prefix_graphql_still_skips_the_gateways_router(
    make_gateway, router_calls
):
    gateway = make_gateway()
    outer = Starlette(routes=[Mount("/backfills-ui", app=gateway.app)])
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=outer), base_url="http://airflow.test"
    ) as http:
        response = await http.post(
            "/backfills-ui/graphql", json={"query": QUERY}, headers={"accept": "application/json"}
        )
        assert response.status_code == 200, response.text
        assert response.json()["data"]["backfills"]["nodes"]
        # Only the outer app's router ran (it mounts the gateway); the gateway's did not.
        assert all(router is outer.router for router, _, _ in router_calls)
        assert (await http.get("/backfills-ui/healthz")).status_code == 200
    assert any(router is gateway.app.router for router, _, _ in router_calls)


@pytest.mark.parametrize(
    ("path", "root_path", "expected"),
    [
        ("/graphql", "", "/graphql"),
        ("/ui/graphql", "/ui", "/graphql"),
        ("/ui", "/ui", ""),
        ("/uigraphql", "/ui", "/uigraphql"),  # not under the mount: unchanged
        ("/graphql", "/ui", "/graphql"),
    ],
)
def test_route_path(path, root_path, expected):
    assert route_path({"type": "http", "path": path, "root_path": root_path}) == expected


HEADER_LISTS = [
    [],
    [(b"accept", b"application/json")],
    # A repeated name: lookups give its first value, as Starlette's do.
    [(b"accept", b"text/html"), (b"content-type", b"application/json"), (b"accept", b"*/*")],
    [(b"authorization", b"Bearer \xe9t\xe9"), (b"x-empty", b"")],  # latin-1, an empty value
]


@pytest.mark.parametrize("raw", HEADER_LISTS)
@pytest.mark.parametrize("name", ["accept", "Accept", "CONTENT-TYPE", "authorization", "x-empty", "absent"])
def test_indexed_headers_answer_as_starlettes(raw, name):
    indexed = IndexedHeaders({"headers": list(raw)})
    starlettes = Headers(scope={"headers": list(raw)})
    assert indexed.get(name) == starlettes.get(name)
    assert indexed.get(name, "default") == starlettes.get(name, "default")
    assert (name in indexed) == (name in starlettes)
    try:
        expected = starlettes[name]
    except KeyError:
        with pytest.raises(KeyError):
            indexed[name]
    else:
        assert indexed[name] == expected
    assert indexed.getlist(name) == starlettes.getlist(name)
    assert indexed == starlettes and indexed.items() == starlettes.items()


async def test_the_graphql_route_reads_headers_through_the_index(make_gateway, monkeypatch):
    looked_up: list[str] = []
    indexed_get = IndexedHeaders.get

    def recorded(self, key, default=None):
        looked_up.append(key)
        return indexed_get(self, key, default)

    monkeypatch.setattr(IndexedHeaders, "get", recorded)
    answered = await post(make_gateway(), QUERY)
    assert answered.status_code == 200
    assert {"accept", "content-type"} <= set(looked_up)
