"""Every error has `extensions.code`; unexpected ones are masked with an id and logged."""

from __future__ import annotations

import asyncio
import logging
import socket
import time

import httpx
import pytest
import strawberry
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route

from backfill_gateway.app import create_app
from backfill_gateway.resolvers import backfills as backfill_resolvers
from backfill_gateway.resolvers.errors import BadUserInput, Forbidden, NotFound, Unauthenticated
from backfill_gateway.settings import Settings
from backfill_gateway.web import graphql_endpoint
from backfill_gateway.web.execution.executable_schema import build_schema
from backfill_gateway.web.execution.limits_extension import limits_extension
from backfill_gateway.web.execution.query_limits import QueryLimits
from backfill_gateway.web.graphql_endpoint import GraphQLEndpoint
from backfill_gateway.web.middleware import ObservabilityMiddleware
from tests.http.conftest import GRAPHQL_RESPONSE, JSON, codes, post

# --- the real app --------------------------------------------------------------------------


async def test_parse_validation_and_input_codes(make_gateway):
    client = make_gateway()
    assert codes(await post(client, "{ backfills(")) == ["GRAPHQL_PARSE_FAILED"]
    assert codes(await post(client, "{ backfills { nope } }")) == ["GRAPHQL_VALIDATION_FAILED"]
    assert codes(await post(client, '{ backfills(after: "bogus") { totalCount } }')) == [
        "BAD_USER_INPUT"
    ]
    assert codes(
        await post(client, "query($t: DateTime) { backfills(filter: {createdAfter: $t}) { totalCount } }",
                   {"t": "yesterday"})
    ) == ["BAD_USER_INPUT"]


async def test_unexpected_exceptions_are_masked_with_an_id_and_logged(make_gateway, monkeypatch, caplog):
    async def broken(*args, **kwargs):
        raise RuntimeError("secret detail: SELECT password FROM users")

    monkeypatch.setattr(backfill_resolvers, "list_backfills", broken)
    client = make_gateway()
    with caplog.at_level(logging.ERROR, logger="gateway.errors"):
        response = await post(client, "{ backfills { totalCount } }", accept=GRAPHQL_RESPONSE)
    assert response.status_code == 200  # a field error: execution started, data is null
    body = response.json()
    assert body["data"] is None
    [error] = body["errors"]
    assert error["message"] == "Internal server error"
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    error_id = error["extensions"]["errorId"]
    assert len(error_id) == 32
    assert "secret" not in response.text and "SELECT" not in response.text
    [record] = [r for r in caplog.records if error_id in r.getMessage()]
    assert record.exc_info and isinstance(record.exc_info[1], RuntimeError)
    assert "secret detail" in str(record.exc_info[1])


async def test_expected_errors_keep_their_message(make_gateway):
    response = await post(make_gateway(), '{ backfill(id: "QmFja2ZpbGw6eA==") { id } }')
    [error] = response.json()["errors"]
    assert error["message"] == "Argument `id` is not a valid ID."
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "id"}


async def test_errors_outside_graphql_are_json_with_an_id(make_gateway, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("boom in the HTTP layer")

    monkeypatch.setattr(graphql_endpoint, "graphql_response", broken)
    client = make_gateway()
    with caplog.at_level(logging.ERROR, logger="gateway.errors"):
        response = await post(client, "{ __typename }")
    assert response.status_code == 500
    [error] = response.json()["errors"]
    assert error["message"] == "Internal server error"
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "boom" not in response.text
    assert any(
        error["extensions"]["errorId"] in r.getMessage() and r.exc_info for r in caplog.records
    )


# --- introspection -----------------------------------------------------------------------

SUGGESTING = [
    "{ backfillz { totalCount } }",  # unknown field
    "{ backfills(frist: 1) { totalCount } }",  # unknown argument
    "{ backfills(filter: {statuses: [RUNING]}) { totalCount } }",  # enum value
    "{ backfills(filter: {dagIdz: [\"a\"]}) { totalCount } }",  # input field
    "query($f: BackfillFiltr) { backfills(filter: $f) { totalCount } }",  # unknown type
]


@pytest.mark.parametrize("query", SUGGESTING)
async def test_suggestions_only_with_introspection(make_gateway, query):
    with_introspection = await post(make_gateway(introspection=True), query)
    assert "Did you mean" in with_introspection.text
    without = await post(make_gateway(introspection=False), query)
    assert codes(without) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "Did you mean" not in without.text


async def test_enum_suggestions_from_variables_are_hidden_too(make_gateway):
    query = "query($s: [BackfillStatus!]) { backfills(filter: {statuses: $s}) { totalCount } }"
    assert "Did you mean" in (await post(make_gateway(), query, {"s": ["RUNING"]})).text
    without = await post(make_gateway(introspection=False), query, {"s": ["RUNING"]})
    assert codes(without) == ["BAD_USER_INPUT"]
    assert "Did you mean" not in without.text and "RUNNING" not in without.text


async def test_introspection_can_be_switched_off(make_gateway):
    query = "{ __schema { types { name } } }"
    on = await post(make_gateway(), query)
    assert on.json()["data"]["__schema"]["types"]
    off = await post(make_gateway(introspection=False), query, accept=GRAPHQL_RESPONSE)
    assert off.status_code == 400
    assert set(codes(off)) == {"GRAPHQL_VALIDATION_FAILED"}
    assert "introspection has been disabled" in off.text
    typename = await post(make_gateway(introspection=False), "{ __typename }")
    assert typename.json()["data"] == {"__typename": "Query"}


# --- database unreachable: SERVICE_UNAVAILABLE, fast ------------------------------------------


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
async def silent_server():
    """A TCP server that accepts connections and never answers (a hung database)."""
    connections = []

    async def accept(reader, writer):
        connections.append(writer)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    for writer in connections:
        writer.close()
    server.close()


async def _gateway_at(url: str, **overrides):
    settings = Settings(
        database_url=url, db_connect_timeout_seconds=1, pool_timeout_seconds=1, **overrides
    )
    app = create_app(settings)
    return app, httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw")


@pytest.mark.parametrize("scheme", ["postgresql", "mysql"])
@pytest.mark.parametrize("server", ["refused", "silent"])
async def test_database_down_fails_fast_with_service_unavailable(scheme, server, silent_server):
    port = closed_port() if server == "refused" else silent_server
    app, client = await _gateway_at(f"{scheme}://gateway@127.0.0.1:{port}/airflow")
    try:
        started = time.monotonic()
        response = await client.post(
            "/graphql", json={"query": "{ backfills { totalCount } }"}, headers={"accept": JSON}
        )
        assert time.monotonic() - started < 10
        assert response.status_code == 200
        body = response.json()
        assert body["data"] is None
        assert codes(response) == ["SERVICE_UNAVAILABLE"]
        assert "unavailable" in body["errors"][0]["message"]
        assert "Traceback" not in response.text and "127.0.0.1" not in response.text
        ready = await client.get("/readyz")
        assert ready.status_code == 503
        assert time.monotonic() - started < 20
    finally:
        await client.aclose()
        await app.state.engine.dispose()


# --- codes raised by resolvers of other features (auth, lookups), through the HTTP layer ---


@strawberry.type
class StubQuery:
    @strawberry.field
    def who(self) -> str | None:
        raise Unauthenticated("Send a token.")

    @strawberry.field
    def secret(self) -> str | None:
        raise Forbidden("Your token cannot do this.")

    @strawberry.field
    def thing(self) -> str | None:
        raise NotFound("No such thing.")

    @strawberry.field
    def wrong(self) -> str | None:
        raise BadUserInput("Not like that.", argument="x")


MUTATIONS_RUN: list[bool] = []


@strawberry.type
class StubMutation:
    @strawberry.mutation
    def act(self) -> bool:
        MUTATIONS_RUN.append(True)
        return True


@pytest.fixture
async def stub_client(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'unused.sqlite'}"
    settings = Settings(database_url=url)
    schema = strawberry.Schema(
        query=StubQuery, mutation=StubMutation,
        extensions=[limits_extension(QueryLimits.from_settings(settings)),
                    *build_schema().extensions],
    )
    from backfill_gateway.db.engine import create_engine

    engine = create_engine(url)
    from backfill_gateway.db import tables
    from backfill_gateway.db.airflow_schema import DetectedAirflowSchema, schema_of_metadata

    # The stub schema reads nothing: the Airflow schema is given, not detected.
    airflow = DetectedAirflowSchema.known(schema_of_metadata(tables.metadata, "3.3"))
    endpoint = GraphQLEndpoint(
        schema=schema, settings=settings, engine=engine, clock=lambda: None, graphiql_html=None,
        airflow=airflow,
    )
    app = Starlette(
        routes=[Route("/graphql", endpoint.handle, methods=["GET", "POST"])],
        middleware=[Middleware(ObservabilityMiddleware)],
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://s") as client:
        yield client
    await engine.dispose()


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, JSON])
@pytest.mark.parametrize(
    ("field", "code", "message"),
    [
        ("who", "UNAUTHENTICATED", "Send a token."),
        ("secret", "FORBIDDEN", "Your token cannot do this."),
        ("thing", "NOT_FOUND", "No such thing."),
        ("wrong", "BAD_USER_INPUT", "Not like that."),
    ],
)
async def test_domain_error_codes_over_http(stub_client, accept, field, code, message):
    response = await stub_client.post(
        "/graphql", json={"query": f"{{ {field} }}"}, headers={"accept": accept}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["data"] == {field: None}
    assert body["errors"][0]["message"] == message
    assert body["errors"][0]["extensions"]["code"] == code


async def test_a_mutation_over_get_is_not_executed(stub_client):
    MUTATIONS_RUN.clear()
    response = await stub_client.get("/graphql", params={"query": "mutation { act }"})
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert MUTATIONS_RUN == []
    posted = await stub_client.post("/graphql", json={"query": "mutation { act }"})
    assert posted.json()["data"] == {"act": True}
    assert MUTATIONS_RUN == [True]
