"""web/metrics.py: the pool gauges and request metrics as each request leaves them."""

from __future__ import annotations

from prometheus_client import REGISTRY

from backfill_gateway.db.engine import checkout_pooled, create_engine, release_pooled
from backfill_gateway.web.metrics import observe_pool, observe_request
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
