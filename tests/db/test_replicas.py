"""ReadEngines on every database: the read order, and the lag check of servers that are
no replica or do not answer. Replication itself (lag, a stopped or promoted replica) is
tested on a real primary + replica: tests/api/test_read_replicas.py."""

from __future__ import annotations

from backfill_gateway.db.engine import create_engine
from backfill_gateway.db.replicas import ReadEngines, Replica, replica_label
from backfill_gateway.db.urls import to_async_url
from tests.support.pg_cluster import free_port


def _engine(url: str):
    return create_engine(to_async_url(url), connect_timeout=1, pool_timeout=1, autocommit=True)


def test_healthy_replicas_take_turns_and_the_primary_comes_last(tmp_path):
    primary, a, b, c = (_engine(f"sqlite:///{tmp_path / name}.sqlite") for name in "pabc")
    replicas = [
        Replica("a", a, 0.0, True), Replica("b", b, 99.0, False), Replica("c", c, 1.0, True)
    ]
    reads = ReadEngines(primary, replicas)
    assert [reads.order() for _ in range(3)] == [(a, c, primary), (c, a, primary), (a, c, primary)]
    assert reads.primary_only() == (primary,)
    for replica in replicas:
        replica.healthy = False
    assert reads.order() == (primary,)
    assert ReadEngines(primary).order() == (primary,)


async def test_a_server_that_is_no_replica_is_current(demo_database):
    primary, same = _engine(demo_database.url), _engine(demo_database.url)
    replica = Replica("same", same)
    reads = ReadEngines(primary, [replica], max_lag_seconds=0)
    try:
        assert reads.order() == (primary,)  # not checked yet: not used
        await reads.check()
        assert replica.healthy and replica.lag_seconds == 0.0
        assert reads.order() == (same, primary)
    finally:
        await reads.stop()
        await primary.dispose()


async def test_a_replica_that_does_not_answer_is_skipped(demo_database, tmp_path):
    primary = _engine(demo_database.url)
    if demo_database.backend == "sqlite":
        down = f"sqlite:///{tmp_path / 'missing' / 'x.sqlite'}"
    else:
        scheme = demo_database.url.split("://", 1)[0]
        down = f"{scheme}://nobody@127.0.0.1:{free_port()}/airflow"
    replica = Replica("down", _engine(down), 0.0, True)
    reads = ReadEngines(primary, [replica], check_timeout_seconds=5)
    try:
        await reads.check()
        assert not replica.healthy and replica.lag_seconds is None
        assert reads.order() == (primary,)
    finally:
        await reads.stop()
        await primary.dispose()


def test_labels_name_hosts_and_database_without_credentials():
    assert replica_label("postgresql+asyncpg://u:secret@r1:5432/airflow") == "r1:5432/airflow"
    assert replica_label(
        "postgresql+asyncpg://u:secret@/airflow?host=r1:5432&host=r2:5433"
    ) == "r1:5432,r2:5433/airflow"
