"""The storm: a real uvicorn server answers Q2 at concurrency 16 while every one of its
database connections is killed every 1-3 s; no read fails.

A failover or a pooler restart looks like this to the gateway. Reads are idempotent and
nothing has been answered when a connection is lost, so each lost read runs again on a
fresh connection (db/session.py) and every response is byte-identical to the one before
the storm. The figures (requests, kills, retries) are printed for the closing note.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from dataclasses import dataclass, field

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from backfill_gateway.db.engine import APPLICATION_NAME
from tests.support.server import PROJECT_DIR, running_server

pytestmark = [
    pytest.mark.slow,
    pytest.mark.parametrize("http_database", ["postgresql", "mysql"], indirect=True),
]

Q2 = (PROJECT_DIR / "tests/fixtures/queries/q2_backfills_with_slot_pages/query.graphql").read_text()
CONCURRENCY = 16
STORM_SECONDS = float(os.environ.get("TEST_STORM_SECONDS", "15"))


@dataclass
class Storm:
    requests: int = 0
    failures: list[str] = field(default_factory=list)
    kill_rounds: int = 0
    connections_killed: int = 0


async def kill_gateway_connections(admin) -> int:
    """Kill every server session the gateway holds on this database; how many."""
    async with admin.connect() as connection:
        if admin.dialect.name == "postgresql":
            rows = await connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     "WHERE datname = current_database() AND application_name = :name"),
                {"name": APPLICATION_NAME},
            )  # fmt: skip
            return sum(1 for (done,) in rows if done)
        ids = (await connection.execute(text(
            "SELECT id FROM information_schema.processlist "
            "WHERE db = DATABASE() AND id <> CONNECTION_ID()"
        ))).scalars().all()  # fmt: skip
        killed = 0
        for session_id in ids:
            try:
                await connection.execute(text(f"KILL CONNECTION {int(session_id)}"))
                killed += 1
            except Exception:  # noqa: BLE001 - it ended by itself meanwhile
                pass
        return killed


def metric(metrics_text: str, sample_name: str, **labels) -> float:
    total = 0.0
    for family in text_string_to_metric_families(metrics_text):
        for sample in family.samples:
            if sample.name == sample_name and all(sample.labels.get(k) == v for k, v in labels.items()):
                total += sample.value
    return total


async def test_no_read_fails_while_connections_are_killed(http_database):
    env = {
        "DATABASE_URL": http_database.url,
        "GATEWAY_LOG_LEVEL": "WARNING",
        "GATEWAY_POOL_SIZE": str(CONCURRENCY),
        "GATEWAY_POOL_MAX_OVERFLOW": "4",
    }
    admin = create_async_engine(http_database.url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    storm = Storm()
    with running_server(env, args=("--no-access-log",)) as (base_url, _process, log_path):
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
            baseline = await client.post("/graphql", json={"query": Q2})
            assert baseline.status_code == 200 and "errors" not in baseline.json()
            backfills = baseline.json()["data"]["backfills"]
            assert len(backfills["nodes"]) == backfills["totalCount"] > 20  # the demo's
            stop = time.monotonic() + STORM_SECONDS

            async def reader() -> None:
                while time.monotonic() < stop:
                    response = await client.post("/graphql", json={"query": Q2})
                    storm.requests += 1
                    if response.status_code != 200 or response.content != baseline.content:
                        storm.failures.append(f"{response.status_code} {response.text[:300]}")

            async def killer() -> None:
                pace = random.Random(15)
                while True:
                    await asyncio.sleep(pace.uniform(1, 3))
                    if time.monotonic() >= stop:
                        return
                    storm.kill_rounds += 1
                    storm.connections_killed += await kill_gateway_connections(admin)

            await asyncio.gather(*(reader() for _ in range(CONCURRENCY)), killer())
            metrics = (await client.get("/metrics")).text
    await admin.dispose()
    retries = metric(metrics, "gateway_db_read_retries_total")
    unavailable = metric(metrics, "gateway_requests_total", route="/graphql", outcome="unavailable")
    print(
        f"\nstorm {http_database.backend}: {storm.requests} requests at concurrency "
        f"{CONCURRENCY} for {STORM_SECONDS:g} s, {len(storm.failures)} failed, "
        f"{storm.kill_rounds} kill rounds, {storm.connections_killed} connections killed, "
        f"{retries:g} reads retried"
    )
    assert storm.failures == [], storm.failures[:5]
    assert unavailable == 0
    assert storm.kill_rounds >= STORM_SECONDS // 3
    assert storm.connections_killed >= storm.kill_rounds  # every round found the gateway's
    assert retries >= 1  # some kills landed under a statement, and were retried
    assert "Traceback" not in log_path.read_text()
