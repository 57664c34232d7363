"""Fixtures for the HTTP layer: gateways with chosen settings over the demo database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from backfill_gateway.app import create_app
from backfill_gateway.demo import load_demo_dataset
from tests.conftest import FIXED_NOW, DemoDatabase, _enter_database, gateway_settings
from tests.support.databases import create_airflow_schema
from tests.support.gateway import GatewayClient

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"


@pytest.fixture(scope="session", params=["sqlite"])
async def http_database(request, tmp_path_factory, demo_dataset) -> AsyncIterator[DemoDatabase]:
    """The demo dataset for HTTP-layer tests: SQLite, as the protocol does not depend on
    the database; modules about database behaviour parametrize it with other backends."""
    from contextlib import AsyncExitStack

    async with AsyncExitStack() as stack:
        database = await _enter_database(request.param, tmp_path_factory, stack)
        engine = await create_airflow_schema(database.url)
        try:
            await load_demo_dataset(engine, demo_dataset)
        finally:
            await engine.dispose()
        yield DemoDatabase(request.param, database.url, demo_dataset)


@pytest.fixture
async def make_gateway(http_database) -> AsyncIterator[Callable[..., GatewayClient]]:
    """Builds gateways over the demo database with settings overrides; closes them after."""
    clients: list[GatewayClient] = []

    def make(**overrides) -> GatewayClient:
        client = GatewayClient(
            create_app(gateway_settings(http_database.url, **overrides), clock=lambda: FIXED_NOW)
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.close()


async def post(
    client: GatewayClient, query: str, variables=None, *, accept: str | None = JSON,
    headers: dict | None = None, **payload,
) -> httpx.Response:
    body = {"query": query, **payload}
    if variables is not None:
        body["variables"] = variables
    sent = dict(headers or {})
    if accept is not None:
        sent["accept"] = accept
    return await client.http.post("/graphql", json=body, headers=sent)


def codes(response: httpx.Response) -> list[str]:
    return [error["extensions"]["code"] for error in response.json().get("errors", [])]

