"""The database goes away and comes back: fail fast, /readyz 503, recover without a restart.

The gateway reaches the real PostgreSQL / MariaDB server through a TCP proxy the
test controls: cutting the gateway's server connections (pg_terminate_backend,
KILL) and stopping the proxy are what a restart or a network failure does to
the gateway, without disturbing anyone else on the shared server.
"""

from __future__ import annotations

import time

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from backfill_gateway.app import create_app
from tests.conftest import FIXED_NOW, gateway_settings
from tests.support.tcp_proxy import TcpProxy

pytestmark = pytest.mark.parametrize("http_database", ["postgresql", "mysql"], indirect=True)

QUERY = {"query": "{ backfills(first: 3) { totalCount nodes { backfillId } } }"}
FAIL_FAST_SECONDS = 10


@pytest.fixture
async def proxied(http_database):
    url = make_url(http_database.url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or (5432 if url.drivername.startswith("postgresql") else 3306))
    await proxy.start()
    app = create_app(
        gateway_settings(
            url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False),
            db_connect_timeout_seconds=2,
            pool_timeout_seconds=2,
        ),
        clock=lambda: FIXED_NOW,
    )
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw")
    admin = create_async_engine(http_database.url, isolation_level="AUTOCOMMIT")
    yield proxy, client, admin
    await client.aclose()
    await app.state.engine.dispose()
    await admin.dispose()
    await proxy.stop()


async def cut_server_connections(admin, ports: set[int]) -> int:
    """Kill the server sessions of the gateway (those reached through the proxy)."""
    async with admin.connect() as connection:
        if admin.dialect.name == "postgresql":
            rows = await connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     "WHERE client_port = ANY(:ports)"),
                {"ports": list(ports)},
            )
            return len(rows.all())
        rows = (await connection.execute(
            text("SELECT id, host FROM information_schema.processlist")
        )).all()
        killed = 0
        for session_id, host in rows:
            if host and host.rsplit(":", 1)[-1].isdigit() and int(host.rsplit(":", 1)[-1]) in ports:
                await connection.execute(text(f"KILL {int(session_id)}"))
                killed += 1
        return killed


async def assert_serves(client) -> None:
    response = await client.post("/graphql", json=QUERY)
    assert response.status_code == 200
    body = response.json()
    assert "errors" not in body, body
    assert len(body["data"]["backfills"]["nodes"]) == 3
    assert (await client.get("/readyz")).status_code == 200


async def assert_unavailable_fast(client) -> None:
    started = time.monotonic()
    response = await client.post("/graphql", json=QUERY)
    assert time.monotonic() - started < FAIL_FAST_SECONDS
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["SERVICE_UNAVAILABLE"]
    assert "Traceback" not in response.text
    started = time.monotonic()
    ready = await client.get("/readyz")
    assert ready.status_code == 503
    assert time.monotonic() - started < FAIL_FAST_SECONDS


async def test_cut_connections_are_replaced_transparently(proxied):
    proxy, client, admin = proxied
    await assert_serves(client)
    assert await cut_server_connections(admin, proxy.upstream_ports) >= 1
    # The pool pre-pings: the dead connection is replaced, the client sees nothing.
    await assert_serves(client)


async def test_database_down_then_back(proxied):
    proxy, client, admin = proxied
    await assert_serves(client)
    await proxy.stop()
    for _ in range(2):
        await assert_unavailable_fast(client)
    await proxy.start()
    await assert_serves(client)
    # and once more, with the server killing the sessions while the proxy is down
    await cut_server_connections(admin, proxy.upstream_ports)
    await proxy.stop()
    await assert_unavailable_fast(client)
    await proxy.start()
    await assert_serves(client)
