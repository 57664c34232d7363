"""Read replicas and failover on a real PostgreSQL primary with a streaming replica
(tests/support/pg_cluster.py): where each statement runs, counted per server.

Queries read the replica; the finalize mutation (its reads too) the primary; a replica
lagging over the limit (replay paused while the primary writes) or stopped is skipped;
a replica current on an idle primary stays in use; a promoted replica takes the writes
of a multi-host primary URL without a restart.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from contextlib import asynccontextmanager

import pytest
from sqlalchemy import event, text

from backfill_gateway.db.engine import create_engine
from backfill_gateway.db.urls import to_async_url
from backfill_gateway.resolvers.context import ANONYMOUS
from tests.api.test_query_fixtures import CASES, FIXTURES, render_statements
from tests.conftest import gateway_app, started_pg_cluster
from tests.support.finalize import ADMIN, TOKENS, backfill_row, finalize, insert_rows
from tests.support.gateway import GatewayClient
from tests.support.pg_cluster import PRIMARY, REPLICA

# The lag monitor's own statements are no request's.
MONITOR_MARKERS = (
    "pg_current_wal_lsn", "pg_last_wal_replay_lsn", "SHOW REPLICA STATUS", "SHOW SLAVE STATUS",
)
BACKFILL_IDS = "{ backfills(first: 5) { edges { node { backfillId status } } } }"
SECOND_ORPHAN = 9001
# Per standard query: (statements on the replica, statements on the primary).
MEASURED: dict[str, tuple[int, int]] = {}


class PerServer:
    """Statements each engine of the app sent (the lag monitor's left out)."""

    def __init__(self, app) -> None:
        reads = app.state.read_engines
        [replica] = reads.replicas  # the cluster has one
        self.engines = {PRIMARY: reads.primary, REPLICA: replica.engine}
        self.counts: Counter = Counter()
        for name, engine in self.engines.items():
            event.listen(engine.sync_engine, "before_cursor_execute", self._counter(name))

    def _counter(self, name: str):
        def count(conn, cursor, statement, parameters, context, executemany) -> None:
            if not any(marker in statement for marker in MONITOR_MARKERS):
                self.counts[name] += 1

        return count

    def take(self) -> dict[str, int]:
        taken = {name: self.counts[name] for name in self.engines}
        self.counts.clear()
        return taken


@asynccontextmanager
async def gateway_with_replica(cluster, **settings):
    """The app over the cluster, its lifespan running (the lag monitor with it)."""
    settings.setdefault("tokens", TOKENS)
    settings.setdefault("replica_check_interval_seconds", 3600)  # tests call check()
    app = gateway_app(
        cluster.url(PRIMARY), database_replica_urls=[cluster.url(REPLICA)], **settings
    )
    async with app.router.lifespan_context(app):
        client = GatewayClient(app)
        try:
            yield client, PerServer(app)
        finally:
            await client.close()


async def test_standard_queries_read_the_replica(pg_cluster):
    async with gateway_with_replica(pg_cluster) as (client, servers):
        replica = client.app.state.read_engines.replicas[0]
        assert replica.healthy and replica.lag_seconds == 0.0
        for case in CASES:
            folder = FIXTURES / case
            variables_path = folder / "variables.json"
            variables = json.loads(variables_path.read_text()) if variables_path.exists() else None
            servers.take()
            response = await client.graphql((folder / "query.graphql").read_text(), variables)
            counts = servers.take()
            assert response.status_code == 200
            # The replica's answer and SQL are the primary's, byte for byte.
            assert json.dumps(response.body, indent=2, ensure_ascii=False) + "\n" == (
                folder / "result.json"
            ).read_text()
            assert render_statements(response.statements) == (folder / "postgresql.sql").read_text()
            assert counts == {REPLICA: len(response.statements), PRIMARY: 0}, case
            MEASURED[case] = (counts[REPLICA], counts[PRIMARY])
    print("\nstatements per server with a replica (replica, primary):", MEASURED)


async def test_the_mutation_reads_and_writes_the_primary(pg_cluster):
    async with gateway_with_replica(pg_cluster) as (client, servers):
        servers.take()
        # A dry run takes the same locks and reads as a real run, then rolls back.
        response = await finalize(client, dryRun=True, limit=5)
        payload = response.ok()["finalizeOrphanedBackfills"]
        assert payload["results"], "the demo data has orphans to consider"
        counts = servers.take()
        assert counts[REPLICA] == 0 and counts[PRIMARY] > 0, counts
        # The next query of the same app reads the replica again.
        (await client.graphql(BACKFILL_IDS)).ok()
        assert servers.take() == {REPLICA: 1, PRIMARY: 0}


LIVE_QUERY = "subscription { backfillUpdates { backfillId status progress { finishedCount } } }"


async def test_subscriptions_poll_and_read_the_replica(pg_cluster):
    """Live progress is a dashboard's load: its change detection and re-reads stay off the
    primary while a replica is healthy."""
    async with gateway_with_replica(pg_cluster, live_poll_seconds=3600) as (client, servers):
        hub = client.app.state.live
        servers.take()
        stream = await hub.subscribe(LIVE_QUERY, None, None, ANONYMOUS)
        try:
            async with asyncio.timeout(30):
                first = await anext(stream)
                while hub.polls == 0:  # the poller's baseline poll
                    await asyncio.sleep(0.01)
                # The group sends the other backfills' initial states after the first: its
                # statements must not fall between the count's reset and the interval (a
                # busy machine once counted one of them on the replica, not in the interval).
                for group in hub.groups.values():
                    await group.idle.wait()
            assert first.data["backfillUpdates"]["backfillId"] > 0
            servers.take()
            interval = await hub.poll_once()  # the detection, and re-reads of what changed
            assert servers.take() == {REPLICA: interval, PRIMARY: 0}
        finally:
            await stream.aclose()


async def test_a_replica_lagging_over_the_limit_is_skipped(pg_cluster):
    async with gateway_with_replica(pg_cluster, replica_max_lag_seconds=1) as (client, servers):
        reads = client.app.state.read_engines
        replica = reads.replicas[0]
        await pg_cluster.execute(REPLICA, "SELECT pg_wal_replay_pause()")
        try:
            # A commit on the primary the replica does not replay.
            await _write_on_primary(pg_cluster)
            await asyncio.sleep(1.2)
            await reads.check()
            assert not replica.healthy
            assert replica.lag_seconds > 1
            lagging = replica.lag_seconds
            servers.take()
            expected = (await client.graphql(BACKFILL_IDS)).ok()
            assert servers.take() == {REPLICA: 0, PRIMARY: 1}
            metrics = (await client.http.get("/metrics")).text
            label = f'replica="127.0.0.1:{pg_cluster.ports[REPLICA]}/airflow"'
            assert f"gateway_db_replica_usable{{{label}}} 0.0" in metrics
            assert f"gateway_db_replica_lag_seconds{{{label}}}" in metrics
        finally:
            await pg_cluster.execute(REPLICA, "SELECT pg_wal_replay_resume()")
        await pg_cluster.wait_for_replay()
        await reads.check()
        assert replica.healthy and replica.lag_seconds == 0.0
        assert (await client.graphql(BACKFILL_IDS)).ok() == expected
        assert servers.take() == {REPLICA: 1, PRIMARY: 0}
        print(f"\nlag fallback: replica {lagging:.1f} s behind (limit 1 s) -> reads on the "
              "primary; replay resumed -> lag 0, reads on the replica")


async def test_a_current_replica_of_an_idle_primary_is_used(pg_cluster):
    """The last replayed commit ages while nothing is written: that is no lag."""
    async with gateway_with_replica(pg_cluster, replica_max_lag_seconds=1) as (client, servers):
        reads = client.app.state.read_engines
        await pg_cluster.wait_for_replay()
        await asyncio.sleep(1.5)
        (since_commit,) = (await pg_cluster.execute(
            REPLICA, "SELECT EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())"
        ))[0]
        assert float(since_commit) > 1
        await reads.check()
        assert reads.replicas[0].healthy and reads.replicas[0].lag_seconds == 0.0


async def test_a_stopped_replica_is_skipped(pg_cluster):
    async with gateway_with_replica(pg_cluster) as (client, servers):
        reads = client.app.state.read_engines
        replica = reads.replicas[0]
        (await client.graphql(BACKFILL_IDS)).ok()  # a pooled connection to the replica
        await asyncio.to_thread(pg_cluster.stop, REPLICA)
        try:
            await reads.check()
            assert not replica.healthy and replica.lag_seconds is None
            servers.take()
            (await client.graphql(BACKFILL_IDS)).ok()
            assert servers.take() == {REPLICA: 0, PRIMARY: 1}
            metrics = (await client.http.get("/metrics")).text
            label = f'replica="127.0.0.1:{pg_cluster.ports[REPLICA]}/airflow"'
            assert f"gateway_db_replica_lag_seconds{{{label}}} NaN" in metrics
        finally:
            await asyncio.to_thread(pg_cluster.start, REPLICA)
        await pg_cluster.wait_for_replay()
        await reads.check()
        assert replica.healthy
        (await client.graphql(BACKFILL_IDS)).ok()
        assert servers.take() == {REPLICA: 1, PRIMARY: 0}


async def test_the_monitor_runs_in_the_background(pg_cluster):
    async with gateway_with_replica(
        pg_cluster, replica_max_lag_seconds=1, replica_check_interval_seconds=0.2
    ) as (client, servers):
        replica = client.app.state.read_engines.replicas[0]
        assert replica.healthy
        await pg_cluster.execute(REPLICA, "SELECT pg_wal_replay_pause()")
        try:
            await _write_on_primary(pg_cluster)
            await _until(lambda: not replica.healthy)
        finally:
            await pg_cluster.execute(REPLICA, "SELECT pg_wal_replay_resume()")
        await _until(lambda: replica.healthy)


async def test_without_the_lifespan_the_first_request_starts_the_monitor(pg_cluster):
    """Mounted inside Airflow's api-server, the app's lifespan does not run."""
    app = gateway_app(
        pg_cluster.url(PRIMARY), database_replica_urls=[pg_cluster.url(REPLICA)],
        replica_check_interval_seconds=0.1,
    )
    client, servers = GatewayClient(app), PerServer(app)
    reads = app.state.read_engines
    try:
        await client.ready()
        servers.take()  # the Airflow schema's detection
        first = await client.graphql(BACKFILL_IDS)
        first.ok()
        assert servers.take() == {REPLICA: 0, PRIMARY: 1}  # not checked yet: the primary
        await _until(lambda: reads.replicas[0].healthy)
        await asyncio.sleep(0.3)  # a few checks more
        then = await client.graphql(BACKFILL_IDS)
        assert then.body == first.body
        # The monitor's statements are no request's: exactly the query's one statement.
        assert then.statements == first.statements
        assert servers.take() == {REPLICA: 1, PRIMARY: 0}
    finally:
        await reads.stop()
        await client.close()


async def _write_on_primary(cluster) -> None:
    """One commit on the primary (outside Airflow's database: WAL is the whole server's)."""
    await cluster.execute(PRIMARY, "CREATE TABLE IF NOT EXISTS lag_probe (n int)", "postgres")
    await cluster.execute(PRIMARY, "INSERT INTO lag_probe VALUES (1)", "postgres")


async def _until(condition, timeout: float = 10) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached"
        await asyncio.sleep(0.05)


async def test_after_wait_for_replay_the_replica_has_every_acknowledged_commit(pg_cluster):
    """The failover test's premise: a commit the primary acknowledged is on the replica
    once wait_for_replay() returns (with asynchronous commit it returned before the WAL
    writer had written the commit record, and an immediate stop lost it)."""
    await pg_cluster.execute(PRIMARY, "CREATE TABLE replay_probe (n int)", "postgres")
    engine = create_engine(to_async_url(pg_cluster.url(PRIMARY, "postgres")), autocommit=True)
    try:
        async with engine.connect() as connection:
            for n in range(1, 21):
                await connection.execute(text("INSERT INTO replay_probe VALUES (:n)"), {"n": n})
                await pg_cluster.wait_for_replay()
                ((replicated,),) = await pg_cluster.execute(
                    REPLICA, "SELECT count(*) FROM replay_probe", "postgres"
                )
                assert replicated == n
    finally:
        await engine.dispose()
        await pg_cluster.execute(PRIMARY, "DROP TABLE replay_probe", "postgres")


@pytest.fixture
async def failover_cluster(demo_dataset):
    """Its own primary + replica: this test promotes the replica."""
    cluster = await started_pg_cluster(demo_dataset)
    try:
        yield cluster
    finally:
        await asyncio.to_thread(cluster.destroy)


async def test_a_promoted_replica_becomes_the_primary_for_writes(failover_cluster):
    cluster = failover_cluster
    url = cluster.multi_host_url("read-write")
    assert "host=" in to_async_url(url)
    app = gateway_app(url, tokens=TOKENS)
    async with app.router.lifespan_context(app):
        client = GatewayClient(app)
        try:
            (orphan, dag_id), *_ = await _orphans(client)
            # A second orphan of the same DAG, for after the failover.
            written = create_engine(to_async_url(cluster.url(PRIMARY)))
            try:
                await insert_rows(written, backfills=[backfill_row(SECOND_ORPHAN, dag_id=dag_id)])
            finally:
                await written.dispose()
            first = await _finalize_one(client, orphan)
            assert await _completed_on(cluster, PRIMARY, first)
            await cluster.wait_for_replay()
            await asyncio.to_thread(cluster.stop, PRIMARY, "immediate")
            await asyncio.to_thread(cluster.promote, REPLICA)
            # Same app, no restart: the pooled connection to the old primary is dropped,
            # the next one finds the promoted replica (target_session_attrs=read-write).
            second = await _finalize_one(client, SECOND_ORPHAN)
            assert await _completed_on(cluster, REPLICA, second)
            assert await _completed_on(cluster, REPLICA, first)  # replicated before
            (await client.graphql(BACKFILL_IDS)).ok()
        finally:
            await client.close()


async def _orphans(client) -> list[tuple[int, str]]:
    data = (await client.graphql(
        "{ backfills(first: 100, filter: {statuses: [ORPHANED]})"
        " { edges { node { backfillId dagId } } } }"
    )).ok()
    nodes = [edge["node"] for edge in data["backfills"]["edges"]]
    return [(node["backfillId"], node["dagId"]) for node in nodes]


async def _finalize_one(client, backfill_id: int) -> int:
    response = await finalize(client, headers=ADMIN, dryRun=False, backfillIds=[backfill_id])
    (result,) = response.ok()["finalizeOrphanedBackfills"]["results"]
    assert result["outcome"] == "FINALIZED", result
    return backfill_id


async def _completed_on(cluster, server: str, backfill_id: int) -> bool:
    rows = await cluster.execute(
        server, f"SELECT completed_at FROM backfill WHERE id = {int(backfill_id)}"
    )
    return rows[0][0] is not None

