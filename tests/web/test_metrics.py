"""web/metrics.py: the pool gauges, and request metrics tallied and published."""

from __future__ import annotations

import asyncio

from prometheus_client import REGISTRY, CollectorRegistry, Histogram

from backfill_gateway.db.engine import checkout_pooled, create_engine, release_pooled
from backfill_gateway.web.metrics import (
    POOL_CAPACITY,
    REQUESTS,
    PendingHistogram,
    observe_pool,
    observe_request,
    publish_every,
)
from backfill_gateway.web.request_record import RequestRecord


def _pool_gauges() -> tuple:
    return tuple(
        REGISTRY.get_sample_value(f"gateway_db_pool_{name}")
        for name in ("waiting", "checked_out", "idle", "capacity")
    )


async def test_pool_gauges_follow_every_change(tmp_path):
    small = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'a.sqlite'}", pool_size=3, max_overflow=2)
    large = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'b.sqlite'}", pool_size=4, max_overflow=4)
    try:
        observe_pool(small)
        assert _pool_gauges() == (0, 0, 0, 5)
        first = await checkout_pooled(small)
        observe_pool(small)
        assert _pool_gauges() == (0, 1, 0, 5)
        observe_pool(small)  # unchanged: still the same values
        assert _pool_gauges() == (0, 1, 0, 5)
        second = await checkout_pooled(small)
        await release_pooled(first)
        observe_pool(small)
        assert _pool_gauges() == (0, 1, 1, 5)
        await release_pooled(second)
        observe_pool(small)
        assert _pool_gauges() == (0, 0, 2, 5)
        observe_pool(large)  # another engine: its own values, whatever was set before
        assert _pool_gauges() == (0, 0, 0, 8)
        observe_pool(small)
        assert _pool_gauges() == (0, 0, 2, 5)
    finally:
        await small.dispose()
        await large.dispose()


def test_each_request_counts_once_under_its_labels():
    def count(outcome: str) -> float:
        labels = {"route": "/graphql", "operation": "MetricsLabels", "outcome": outcome}
        return REGISTRY.get_sample_value("gateway_requests_total", labels) or 0.0

    def observations() -> float:
        labels = {"route": "/graphql", "operation": "MetricsLabels"}
        return REGISTRY.get_sample_value("gateway_request_duration_seconds_count", labels) or 0.0

    before_ok, before_error, before_seen = count("ok"), count("client_error"), observations()
    record = RequestRecord("id", "POST", "/graphql", operation="MetricsLabels", graphql=True)
    for outcome in ("ok", "ok", "client_error", "ok"):
        observe_request(record, "/graphql", outcome, 0.002)
    assert count("ok") - before_ok == 3
    assert count("client_error") - before_error == 1
    assert observations() - before_seen == 4


def test_tallied_observations_publish_as_observing_each_would():
    registry = CollectorRegistry()
    buckets = (0.005, 0.01, 0.5, 2)
    tallied = Histogram("tallied", "t", buckets=buckets, registry=registry)
    observed = Histogram("observed", "o", buckets=buckets, registry=registry)
    pending = PendingHistogram(tallied)
    # On a bound (counted in that bucket), between bounds, beyond the last finite one.
    values = [0.005, 0.0049, 0.01, 0.0100001, 0.3, 0.5, 2, 2.5, 100, 0, 0.005]
    for value in values:
        pending.observe(value)
        observed.observe(value)
    assert registry.get_sample_value("tallied_count") == 0  # nothing published yet
    pending.publish()
    pending.publish()  # published once: the tally starts again from nothing

    def samples(name: str) -> list:
        return [
            (sample.name.removeprefix(name), sample.labels, sample.value)
            for family in registry.collect() if family.name == name
            for sample in family.samples if not sample.name.endswith("_created")
        ]  # fmt: skip

    assert samples("tallied") == samples("observed")
    assert registry.get_sample_value("tallied_sum") == sum(values)


async def test_each_worker_publishes_and_samples_its_pool_every_tick(tmp_path):
    # Read without the registry, whose reads publish first: only the tick publishes here.
    requests = REQUESTS.labels("/graphql", "TickedLabels", "ok")
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'a.sqlite'}", pool_size=2, max_overflow=5)
    ticking = asyncio.create_task(publish_every(engine, 0.05))
    try:
        before = requests._value.get()
        observe_request(RequestRecord("id", "POST", "/graphql", operation="TickedLabels", graphql=True),
                        "/graphql", "ok", 0.002)  # fmt: skip
        assert requests._value.get() == before
        await asyncio.sleep(0.3)
        assert requests._value.get() == before + 1
        assert POOL_CAPACITY._value.get() == 7
    finally:
        ticking.cancel()
        await engine.dispose()


async def test_a_failing_tick_is_logged_once_and_the_next_ticks_go_on(tmp_path, monkeypatch, caplog):
    from backfill_gateway.web import metrics

    real_publish = metrics.publish_pending
    failures = 3

    def publish_failing_at_first() -> None:
        nonlocal failures
        if failures:
            failures -= 1
            raise OSError("No space left on device")
        real_publish()

    monkeypatch.setattr(metrics, "publish_pending", publish_failing_at_first)
    requests = REQUESTS.labels("/graphql", "FailingTick", "ok")
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'a.sqlite'}")
    ticking = asyncio.create_task(publish_every(engine, 0.02))
    try:
        before = requests._value.get()
        observe_request(RequestRecord("id", "POST", "/graphql", operation="FailingTick", graphql=True),
                        "/graphql", "ok", 0.002)  # fmt: skip
        for _ in range(100):
            await asyncio.sleep(0.02)
            if requests._value.get() == before + 1:
                break
        assert requests._value.get() == before + 1  # published once the failures stop
        assert not ticking.done()
    finally:
        ticking.cancel()
        await engine.dispose()
    logged = [r for r in caplog.records if r.name == "gateway.metrics"]
    assert [r.levelname for r in logged] == ["ERROR", "WARNING"]  # once failing, once recovered
    assert "No space left on device" in logged[0].exc_text
