"""The budget on the primary: N workers x GATEWAY_PRIMARY_MAX_CONNECTIONS, never more.

A real uvicorn server with 2 workers, each allowed 3 connections (its pool asks for
2 + 5). The test locks the `backfill` table, so every read blocks holding its connection,
and sends 24 requests at once: a load that would want 24 connections. The server's
sessions are counted on the database itself (pg_stat_activity / MariaDB's processlist)
the whole time and never exceed 6; requests that find no free connection within the pool
timeout answer 503 SERVICE_UNAVAILABLE with Retry-After, the others complete once the
lock is released.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from backfill_gateway.db.engine import APPLICATION_NAME
from tests.http.test_read_storm import metric
from tests.support.server import running_server

pytestmark = [
    pytest.mark.slow,
    pytest.mark.parametrize("http_database", ["postgresql", "mysql"], indirect=True),
]

WORKERS, PER_WORKER, LOAD = 2, 3, 24
CEILING = WORKERS * PER_WORKER
QUERY = {"query": "{ backfills(first: 3) { totalCount nodes { backfillId } } }"}


async def gateway_sessions(admin, holder_id: int) -> int:
    """The gateway's sessions on this database (not the test's own two)."""
    async with admin.connect() as connection:
        if admin.dialect.name == "postgresql":
            statement = text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND application_name = :name"
            )
            return (await connection.execute(statement, {"name": APPLICATION_NAME})).scalar_one()
        statement = text(
            "SELECT count(*) FROM information_schema.processlist "
            "WHERE db = DATABASE() AND id NOT IN (CONNECTION_ID(), :holder)"
        )
        return (await connection.execute(statement, {"holder": holder_id})).scalar_one()


async def every_worker_serving(client: httpx.AsyncClient, timeout: float = 60) -> None:
    """Wait until every worker has started (each reports its pool capacity from its
    start-up) and has read once. /healthz answers as soon as the first worker is up; on a
    busy machine the second can take seconds more, and a load sent before it would all
    reach one worker."""
    deadline = asyncio.get_running_loop().time() + timeout
    while metric((await client.get("/metrics")).text, "gateway_db_pool_capacity") < CEILING:
        assert asyncio.get_running_loop().time() < deadline, "not every worker started"
        await asyncio.sleep(0.1)
    for _ in range(8):  # new connections: the kernel spreads them over the workers
        response = await client.post("/graphql", json=QUERY, headers={"Connection": "close"})
        assert response.status_code == 200


async def test_connections_never_exceed_the_ceiling(http_database, tmp_path):
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    env = {
        "DATABASE_URL": http_database.url,
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "GATEWAY_LOG_LEVEL": "WARNING",
        "GATEWAY_POOL_SIZE": "2",
        "GATEWAY_POOL_MAX_OVERFLOW": "5",
        "GATEWAY_PRIMARY_MAX_CONNECTIONS": str(PER_WORKER),
        "GATEWAY_POOL_TIMEOUT_SECONDS": "1",
    }
    admin = create_async_engine(http_database.url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    args = ("--workers", str(WORKERS), "--no-access-log")
    with running_server(env, args=args) as (base_url, _process, _log_path):
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
            await every_worker_serving(client)
            counts: list[int] = []
            async with admin.connect() as holder:
                # Every read of `backfill` now waits, holding its connection.
                own_id = "pg_backend_pid()" if admin.dialect.name == "postgresql" else "CONNECTION_ID()"
                holder_id = (await holder.execute(text(f"SELECT {own_id}"))).scalar_one()
                if admin.dialect.name == "postgresql":
                    await holder.execute(text("BEGIN"))
                    await holder.execute(text("LOCK TABLE backfill IN ACCESS EXCLUSIVE MODE"))
                else:
                    await holder.execute(text("LOCK TABLES backfill WRITE"))
                load = [
                    asyncio.create_task(client.post("/graphql", json=QUERY)) for _ in range(LOAD)
                ]
                for _ in range(30):  # 3 s: past the pool timeout of the requests left waiting
                    await asyncio.sleep(0.1)
                    counts.append(await gateway_sessions(admin, holder_id))
                unlock = "COMMIT" if admin.dialect.name == "postgresql" else "UNLOCK TABLES"
                await holder.execute(text(unlock))
            responses = await asyncio.gather(*load)
            metrics = (await client.get("/metrics")).text
    await admin.dispose()

    statuses = sorted(response.status_code for response in responses)
    refused = [response for response in responses if response.status_code == 503]
    served = [response for response in responses if response.status_code == 200]
    print(
        f"\nbudget {http_database.backend}: {WORKERS} workers x {PER_WORKER} = ceiling {CEILING}; "
        f"{LOAD} concurrent requests: most sessions seen {max(counts)}, {len(served)} served, "
        f"{len(refused)} refused with 503"
    )
    assert max(counts) <= CEILING, counts
    # The kernel decides which worker accepts each request: at least one was saturated.
    assert max(counts) >= PER_WORKER
    assert len(served) + len(refused) == LOAD, statuses
    assert PER_WORKER <= len(served) <= CEILING
    for response in refused:
        assert response.headers["retry-after"] == "1"
        body = response.json()
        assert "data" not in body
        assert [e["extensions"]["code"] for e in body["errors"]] == ["SERVICE_UNAVAILABLE"]
    for response in served:
        assert "errors" not in response.json()
    assert metric(metrics, "gateway_db_pool_capacity") == CEILING
    assert metric(metrics, "gateway_requests_total", outcome="unavailable") == len(refused)
