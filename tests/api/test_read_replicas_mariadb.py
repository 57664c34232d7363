"""Read replicas on a real MariaDB primary with a binlog replica
(tests/support/mariadb_cluster.py): queries read the replica, the mutation the primary,
a replica delayed past the limit (MASTER_DELAY) or with replication stopped is skipped."""

from __future__ import annotations

import asyncio
import json
from contextlib import asynccontextmanager

import pytest

from tests.api.test_query_fixtures import FIXTURES, render_statements
from tests.api.test_read_replicas import BACKFILL_IDS, PerServer
from tests.conftest import gateway_app, started_cluster
from tests.support.finalize import TOKENS, finalize
from tests.support.gateway import GatewayClient
from tests.support.mariadb_cluster import new_mariadb_cluster
from tests.support.pg_cluster import PRIMARY, REPLICA

STANDARD = "q2_backfills_with_slot_pages"


@pytest.fixture(scope="module")
async def mariadb_cluster(demo_dataset):
    cluster = await started_cluster(new_mariadb_cluster, demo_dataset)
    try:
        yield cluster
    finally:
        await asyncio.to_thread(cluster.destroy)


@asynccontextmanager
async def gateway_with_replica(cluster, **settings):
    app = gateway_app(
        cluster.url(PRIMARY), database_replica_urls=[cluster.url(REPLICA)], tokens=TOKENS,
        replica_check_interval_seconds=3600, **settings,
    )
    async with app.router.lifespan_context(app):
        client = GatewayClient(app)
        try:
            yield client, PerServer(app)
        finally:
            await client.close()


async def test_queries_read_the_replica_and_the_mutation_the_primary(mariadb_cluster):
    async with gateway_with_replica(mariadb_cluster) as (client, servers):
        replica = client.app.state.read_engines.replicas[0]
        assert replica.healthy and replica.lag_seconds == 0.0
        folder = FIXTURES / STANDARD
        servers.take()
        response = await client.graphql((folder / "query.graphql").read_text())
        counts = servers.take()
        assert json.dumps(response.body, indent=2, ensure_ascii=False) + "\n" == (
            folder / "result.json"
        ).read_text()
        assert render_statements(response.statements) == (folder / "mysql.sql").read_text()
        assert counts == {REPLICA: len(response.statements), PRIMARY: 0}
        (await finalize(client, dryRun=True, limit=5)).ok()
        counts = servers.take()
        assert counts[REPLICA] == 0 and counts[PRIMARY] > 0, counts


async def test_a_delayed_replica_is_skipped(mariadb_cluster):
    cluster = mariadb_cluster
    async with gateway_with_replica(cluster, replica_max_lag_seconds=1) as (client, servers):
        reads = client.app.state.read_engines
        replica = reads.replicas[0]
        await _set_delay(cluster, 30)
        try:
            await cluster.execute(PRIMARY, "CREATE TABLE IF NOT EXISTS lag_probe (n int)", "mysql")
            await asyncio.sleep(2.5)
            await reads.check()
            assert not replica.healthy and replica.lag_seconds > 1, replica
            lagging = replica.lag_seconds
            (await client.graphql(BACKFILL_IDS)).ok()
            assert servers.take() == {REPLICA: 0, PRIMARY: 1}
        finally:
            await _set_delay(cluster, 0)
        await cluster.wait_for_replay()
        await reads.check()
        assert replica.healthy and replica.lag_seconds == 0.0
        (await client.graphql(BACKFILL_IDS)).ok()
        assert servers.take() == {REPLICA: 1, PRIMARY: 0}
        print(f"\nMariaDB lag fallback: Seconds_Behind_Master {lagging:g} (limit 1) -> primary")


async def test_a_replica_with_replication_stopped_is_skipped(mariadb_cluster):
    cluster = mariadb_cluster
    async with gateway_with_replica(cluster) as (client, servers):
        reads = client.app.state.read_engines
        replica = reads.replicas[0]
        await cluster.execute(REPLICA, "STOP SLAVE SQL_THREAD", "mysql")
        try:
            await reads.check()
            assert not replica.healthy and replica.lag_seconds == float("inf")
            (await client.graphql(BACKFILL_IDS)).ok()
            assert servers.take() == {REPLICA: 0, PRIMARY: 1}
            metrics = (await client.http.get("/metrics")).text
            label = f'replica="127.0.0.1:{cluster.ports[REPLICA]}/airflow"'
            assert f"gateway_db_replica_lag_seconds{{{label}}} +Inf" in metrics
        finally:
            await cluster.execute(REPLICA, "START SLAVE SQL_THREAD", "mysql")
        await cluster.wait_for_replay()
        await reads.check()
        assert replica.healthy


async def _set_delay(cluster, seconds: int) -> None:
    await cluster.execute(REPLICA, "STOP SLAVE", "mysql")
    await cluster.execute(REPLICA, f"CHANGE MASTER TO MASTER_DELAY = {seconds}", "mysql")
    await cluster.execute(REPLICA, "START SLAVE", "mysql")
