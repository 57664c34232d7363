"""Subscriptions against a real uvicorn server: graphql-transport-ws and graphql-sse on
SQLite, PostgreSQL and MariaDB, with rows changed the way Airflow changes them.

The server polls every 0.3 s; tests wait for events (or for their absence) with timeouts,
and read the worker's registry from /metrics (`gateway_live_subscriptions`).
"""

from __future__ import annotations

import asyncio
import hashlib
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import insert
from websockets.exceptions import ConnectionClosed

from tests.conftest import _enter_database
from tests.support.airflow_versions import (
    LATEST,
    create_versioned_schema,
    dataset_for,
    load_versioned_dataset,
    version_table,
)
from tests.support.live_client import SSEClient, TransportWSClient
from tests.support.live_rows import complete, finish_a_run
from tests.support.server import running_server

pytestmark = pytest.mark.slow

SCOPED_TOKEN = "sales-team-token"
TOKENS = f"sales:reader:{hashlib.sha256(SCOPED_TOKEN.encode()).hexdigest()}:dags=sales_*"
PER_CONNECTION, PER_WORKER = 3, 6
BACKFILL = version_table(LATEST, "backfill")
BY_IDS = """subscription($ids: [Int!]) { backfillUpdates(filter: {backfillIds: $ids}) {
  backfillId dagId status completedAt progress { runningCount successCount } } }"""
ALL = "subscription { backfillUpdates { backfillId dagId } }"
QUIET = 1.5  # five poll intervals


@pytest.fixture(scope="module", params=["sqlite", "postgresql", "mysql"])
async def live(request, tmp_path_factory, demo_dataset):
    """A writable demo database and a gateway server process over it."""
    async with AsyncExitStack() as stack:
        database = await _enter_database(request.param, tmp_path_factory, stack)
        engine = await create_versioned_schema(database.url, LATEST)
        await load_versioned_dataset(engine, dataset_for(LATEST, demo_dataset), LATEST)
        env = {
            "DATABASE_URL": database.url, "GATEWAY_LIVE_POLL_SECONDS": "0.3",
            "GATEWAY_LIVE_KEEPALIVE_SECONDS": "1", "GATEWAY_TOKENS": TOKENS,
            "GATEWAY_MAX_SUBSCRIPTIONS_PER_CONNECTION": str(PER_CONNECTION),
            "GATEWAY_MAX_SUBSCRIPTIONS_PER_WORKER": str(PER_WORKER),
            "TEST_SERVER_LOG": str(tmp_path_factory.mktemp("log") / "server.log"),
        }  # fmt: skip
        with running_server(env) as (base_url, _, _):
            yield base_url, engine
        await engine.dispose()


async def live_gauge(base_url: str, name: str = "gateway_live_subscriptions") -> float:
    async with httpx.AsyncClient() as http:
        text = (await http.get(f"{base_url}/metrics")).text
    for family in text_string_to_metric_families(text):
        if family.name == name:
            return sum(sample.value for sample in family.samples)
    raise AssertionError(f"{name} not in /metrics")


async def until_freed(base_url: str) -> None:
    """The worker's registry empties (subscriptions and groups) once clients are gone."""
    async with asyncio.timeout(10):
        while await live_gauge(base_url) or await live_gauge(base_url, "gateway_live_groups"):
            await asyncio.sleep(0.05)


def data(message: dict) -> dict:
    assert message["type"] == "next", message
    assert "errors" not in message["payload"], message
    return message["payload"]["data"]["backfillUpdates"]


async def test_websocket_initial_state_then_an_event_per_change_and_nothing_else(live):
    base_url, engine = live
    async with TransportWSClient.connect(base_url) as client:
        await client.subscribe(BY_IDS, {"ids": [20]})
        initial = data(await client.receive())
        assert initial["backfillId"] == 20 and initial["status"] == "RUNNING"
        assert await client.silent_for(QUIET)  # nothing changed: nothing sent
        await finish_a_run(engine, 20)
        changed = data(await client.receive())
        assert changed["progress"]["runningCount"] == initial["progress"]["runningCount"] - 1
        assert changed["progress"]["successCount"] == initial["progress"]["successCount"] + 1
        assert await client.silent_for(QUIET)
        assert client.pings >= 1  # the server's keep-alive (every second)
    await until_freed(base_url)


TIMESTAMPS = """{ backfills(first: 3) { nodes { backfillId createdAt completedAt
  dagRuns(first: 3) { nodes { logicalDate dagRun { startDate endDate } } } } } }"""


async def test_queries_over_websocket_and_sse_answer_as_over_http(live):
    """The fast path leaves UTC timestamps to the response writer: the live transports
    write them as the HTTP endpoint does (a query over them once failed to encode)."""
    base_url, _ = live
    async with httpx.AsyncClient() as http:
        response = await http.post(f"{base_url}/graphql", json={"query": TIMESTAMPS})
    over_http = response.json()["data"]
    assert over_http["backfills"]["nodes"][0]["createdAt"].endswith("+00:00")
    for _ in range(2):
        async with TransportWSClient.connect(base_url) as client:
            await client.subscribe(TIMESTAMPS)
            message = await client.receive()
        assert message["type"] == "next" and message["payload"]["data"] == over_http
        async with SSEClient.subscribe(base_url, TIMESTAMPS) as stream:
            name, payload = await stream.event()
        assert name == "next" and payload["data"] == over_http


async def test_sse_initial_state_then_completion(live):
    base_url, engine = live
    async with SSEClient.subscribe(base_url, BY_IDS, {"ids": [22]}) as stream:
        assert stream.response.status_code == 200
        assert stream.response.headers["content-type"].startswith("text/event-stream")
        name, payload = await stream.event()
        assert name == "next" and payload["data"]["backfillUpdates"]["completedAt"] is None
        await complete(engine, 22)
        name, payload = await stream.event()
        assert payload["data"]["backfillUpdates"]["status"] == "COMPLETED"
        await asyncio.sleep(1.2)
        await complete(engine, 22)  # updated again: one more event, after a heartbeat
        await stream.event()
        assert stream.comments >= 1
    await until_freed(base_url)


async def test_a_new_matching_backfill_appears(live):
    base_url, engine = live
    query = """subscription { backfillUpdates(filter: {dagIds: ["ads_spend_import"]}) {
      backfillId dagId status } }"""
    async with TransportWSClient.connect(base_url) as client:
        await client.subscribe(query)
        initial = []
        while not await _quiet(client, initial):
            pass
        assert initial and all(event["dagId"] == "ads_spend_import" for event in initial)
        now = datetime.now(UTC)
        async with engine.begin() as connection:
            new_id = (await connection.execute(insert(BACKFILL).values(
                dag_id="ads_spend_import", from_date=now - timedelta(days=3), to_date=now,
                dag_run_conf={}, is_paused=False, reprocess_behavior="none", max_active_runs=2,
                created_at=now, updated_at=now,
            ))).inserted_primary_key[0]  # fmt: skip
        event = data(await client.receive())
        assert event["backfillId"] == new_id and event["status"] == "INITIALIZING"
    await until_freed(base_url)


async def _quiet(client, into: list) -> bool:
    try:
        into.append(data(await client.receive(timeout=QUIET)))
    except TimeoutError:
        return True
    return False


async def test_a_scoped_token_receives_only_its_dags(live):
    base_url, engine = live
    async with TransportWSClient.connect(base_url, {"Authorization": f"Bearer {SCOPED_TOKEN}"}) as client:
        await client.subscribe(ALL)
        events = []
        while not await _quiet(client, events):
            pass
        assert events and all(event["dagId"].startswith("sales_") for event in events)
        await complete(engine, 23)  # clickstream_sessionize: outside the scope
        assert await client.silent_for(QUIET)
    # The other ways to present the token: the upgrade request's header, a bare `token`.
    for payload, headers in (
        ({}, {"Authorization": f"Bearer {SCOPED_TOKEN}"}), ({"token": SCOPED_TOKEN}, {}),
    ):
        async with TransportWSClient.connect(base_url, payload, headers) as client:
            await client.subscribe(ALL)
            assert data(await client.receive())["dagId"].startswith("sales_")
    async with SSEClient.subscribe(
        base_url, ALL, headers={"authorization": f"Bearer {SCOPED_TOKEN}"}
    ) as stream:  # fmt: skip
        name, payload = await stream.event()
        assert payload["data"]["backfillUpdates"]["dagId"].startswith("sales_")
    await until_freed(base_url)


async def test_an_unknown_token_is_refused(live):
    base_url, _ = live
    with pytest.raises(ConnectionClosed) as closed:
        async with TransportWSClient.connect(base_url, {"Authorization": "Bearer nope"}) as client:
            await client.receive()
    assert closed.value.rcvd.code == 4403
    async with SSEClient.subscribe(base_url, ALL, headers={"authorization": "Bearer nope"}) as stream:
        name, payload = await stream.event()
        assert payload["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_limits_per_connection_and_per_worker(live):
    base_url, _ = live
    async with AsyncExitStack() as stack:
        clients = [await stack.enter_async_context(TransportWSClient.connect(base_url)) for _ in range(3)]
        for client in clients[:2]:
            for index in range(PER_CONNECTION):
                await client.subscribe(BY_IDS, {"ids": [index + 1]})
                data(await client.receive())
        refused = await clients[0].subscribe(BY_IDS, {"ids": [9]})
        error = await clients[0].receive()
        assert error == {"id": refused, "type": "error", "payload": [{
            "message": error["payload"][0]["message"], "extensions": {"code": "SUBSCRIPTION_LIMIT"},
        }]}  # fmt: skip
        assert "GATEWAY_MAX_SUBSCRIPTIONS_PER_CONNECTION" in error["payload"][0]["message"]
        await clients[2].subscribe(BY_IDS, {"ids": [9]})
        error = await clients[2].receive()
        assert error["type"] == "error"
        assert error["payload"][0]["extensions"]["code"] == "SUBSCRIPTION_LIMIT"
        assert "GATEWAY_MAX_SUBSCRIPTIONS_PER_WORKER" in error["payload"][0]["message"]
        assert await live_gauge(base_url) == PER_WORKER
        await clients[0].complete("1")  # completing one frees its place
        async with asyncio.timeout(10):
            while await live_gauge(base_url) != PER_WORKER - 1:
                await asyncio.sleep(0.05)
        await clients[2].subscribe(BY_IDS, {"ids": [9]})
        assert data(await clients[2].receive())["backfillId"] == 9
        for client in clients:  # gone without completing: the server frees everything
            client.socket.transport.abort()
    await until_freed(base_url)


async def test_same_subscription_many_clients_one_group(live):
    base_url, engine = live
    async with AsyncExitStack() as stack:
        clients = [await stack.enter_async_context(TransportWSClient.connect(base_url)) for _ in range(PER_WORKER)]
        for client in clients:
            await client.subscribe(BY_IDS, {"ids": [16]})
            data(await client.receive())
        assert await live_gauge(base_url, "gateway_live_groups") == 1
        await finish_a_run(engine, 16)
        events = [data(await client.receive()) for client in clients]
        assert all(event == events[0] for event in events)
    await until_freed(base_url)


async def test_subscription_limits_and_cost_apply(live):
    base_url, _ = live
    deep = "subscription { backfillUpdates { dagRuns(first: 100) { nodes { dagRun { runId } } } } }"
    async with TransportWSClient.connect(base_url) as client:
        await client.subscribe("subscription { backfillUpdates { nope } }")
        error = await client.receive()
        assert error["type"] == "error"
        assert error["payload"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        await client.subscribe("mutation { finalizeOrphanedBackfills { dryRun } }")
        error = await client.receive()
        assert error["payload"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"
        await client.subscribe(deep)
        assert (await client.receive())["type"] == "next"
    await until_freed(base_url)


@pytest.fixture(params=["postgresql", "mysql"])
async def behind_proxy(request, tmp_path_factory, demo_dataset):
    """A server reaching its database through a TCP proxy the test can cut."""
    from sqlalchemy.engine import make_url

    from tests.support.tcp_proxy import TcpProxy

    async with AsyncExitStack() as stack:
        database = await _enter_database(request.param, tmp_path_factory, stack)
        engine = await create_versioned_schema(database.url, LATEST)
        await load_versioned_dataset(engine, dataset_for(LATEST, demo_dataset), LATEST)
        url = make_url(database.url)
        proxy = TcpProxy(url.host or "127.0.0.1", url.port or (5432 if request.param == "postgresql" else 3306))
        await proxy.start()
        proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        env = {
            "DATABASE_URL": proxied, "GATEWAY_LIVE_POLL_SECONDS": "0.3",
            "GATEWAY_DB_CONNECT_TIMEOUT_SECONDS": "1", "GATEWAY_POOL_TIMEOUT_SECONDS": "1",
            "TEST_SERVER_LOG": str(tmp_path_factory.mktemp("log") / "server.log"),
        }  # fmt: skip
        with running_server(env) as (base_url, _, _):
            yield base_url, engine, proxy
        await proxy.stop()
        await engine.dispose()


async def test_a_database_outage_is_an_error_event_and_recovers(behind_proxy):
    base_url, engine, proxy = behind_proxy
    async with TransportWSClient.connect(base_url) as client:
        await client.subscribe(BY_IDS, {"ids": [18]})
        before = data(await client.receive())
        await proxy.stop()  # the database goes away
        event = await client.receive(timeout=15)
        assert event["type"] == "next"
        assert event["payload"]["data"] is None
        assert event["payload"]["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
        assert await client.silent_for(QUIET)  # one error event per outage, not one per poll
        await finish_a_run(engine, 18)  # meanwhile Airflow goes on
        await proxy.start()  # and the database comes back
        after = data(await client.receive(timeout=15))
        assert after["progress"]["successCount"] == before["progress"]["successCount"] + 1
    await until_freed(base_url)
