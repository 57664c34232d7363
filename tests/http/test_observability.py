"""Request ids, one JSON log line per request, Prometheus metrics, optional tracing."""

from __future__ import annotations

import json
import logging
import re

import httpx
import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette
from starlette.routing import Mount

from backfill_gateway.web import metrics
from backfill_gateway.web.json_logging import JsonFormatter
from tests.http.conftest import codes, post

NAMED = "query ObservedBackfills { backfills(first: 3) { nodes { backfillId progress { slotCount } } } }"


def access_records(caplog) -> list[dict]:
    return [r.data for r in caplog.records if r.name == "gateway.access"]


async def test_request_id_is_honoured_or_made(make_gateway):
    client = make_gateway()
    given = await post(client, "{ __typename }", headers={"x-request-id": "frontend-42.a:b"})
    assert given.headers["x-request-id"] == "frontend-42.a:b"
    made_ids = set()
    for bad in ("has spaces", "x" * 200, "quote\"s"):
        made = await post(client, "{ __typename }", headers={"x-request-id": bad})
        assert made.headers["x-request-id"] != bad
        assert re.fullmatch("[0-9a-f]{32}", made.headers["x-request-id"])
        made_ids.add(made.headers["x-request-id"])
    assert len(made_ids) == 3  # a new one each time
    assert "x-request-id" in (await client.http.get("/healthz")).headers


async def test_one_access_log_line_per_request(make_gateway, caplog):
    client = make_gateway()
    with caplog.at_level(logging.INFO, logger="gateway.access"):
        response = await client.graphql(NAMED, headers={"x-request-id": "req-1"})
    response.ok()
    [line] = access_records(caplog)
    assert line["request_id"] == "req-1"
    assert line["operation"] == "ObservedBackfills"
    assert line["status"] == 200
    assert line["outcome"] == "ok"
    assert line["sql_statements"] == len(response.statements) > 0
    assert line["cost"] == 3
    assert line["caller"] is None
    assert line["error_codes"] == []
    assert line["duration_ms"] > 0


async def test_log_lines_for_errors_and_refusals(make_gateway, caplog):
    client = make_gateway()
    with caplog.at_level(logging.INFO, logger="gateway.access"):
        await post(client, "{ nope }")
        await client.http.post("/graphql", content=b"{", headers={"content-type": "application/json"})
        await post(client, '{ backfill(id: "x") { id } }')
    validation, malformed, field_error = access_records(caplog)
    assert (validation["outcome"], validation["error_codes"]) == ("client_error", ["GRAPHQL_VALIDATION_FAILED"])
    assert (malformed["status"], malformed["error_codes"]) == (400, ["BAD_REQUEST"])
    assert (field_error["outcome"], field_error["error_codes"]) == ("client_error", ["BAD_USER_INPUT"])


async def test_tokens_never_reach_the_log(make_gateway, caplog):
    client = make_gateway()
    secret = "gw_live_8f1d2c3b4a5e6f7a8b9c0d1e2f3a4b5c"
    with caplog.at_level(logging.DEBUG):
        await post(client, "{ __typename }", headers={"authorization": f"Bearer {secret}"})
    formatter = JsonFormatter()
    rendered = "\n".join(formatter.format(record) for record in caplog.records)
    assert "gateway.access" in rendered
    assert secret not in rendered


def test_json_formatter_writes_one_object_per_line():
    record = logging.LogRecord("gateway.access", logging.INFO, __file__, 1, "GET %s", ("/x",), None)
    record.data = {"request_id": "r", "duration_ms": 1.5}
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "GET /x"
    assert entry["level"] == "INFO" and entry["logger"] == "gateway.access"
    assert entry["request_id"] == "r" and entry["duration_ms"] == 1.5
    assert isinstance(entry["pid"], int) and entry["time"].endswith("+00:00")
    try:
        raise ValueError("kaput")
    except ValueError:
        import sys

        failing = logging.LogRecord("gateway.errors", logging.ERROR, __file__, 1, "x", (), sys.exc_info())
    rendered = JsonFormatter().format(failing)
    assert "\n" not in rendered
    assert "Traceback" in json.loads(rendered)["exception"]


def sample(name: str, labels: dict | None = None) -> float:
    return REGISTRY.get_sample_value(name, labels or {}) or 0.0


async def test_metrics_count_requests_errors_statements_and_latency(make_gateway):
    client = make_gateway()
    ok_labels = {"route": "/graphql", "operation": "ObservedBackfills", "outcome": "ok"}
    before = {
        "ok": sample("gateway_requests_total", ok_labels),
        "invalid": sample("gateway_requests_total",
                          {"route": "/graphql", "operation": "anonymous", "outcome": "client_error"}),
        "errors": sample("gateway_graphql_errors_total", {"code": "GRAPHQL_VALIDATION_FAILED"}),
        "sql_count": sample("gateway_request_sql_statements_count"),
        "sql_sum": sample("gateway_request_sql_statements_sum"),
        "latency": sample("gateway_request_duration_seconds_count",
                          {"route": "/graphql", "operation": "ObservedBackfills"}),
    }
    response = await client.graphql(NAMED)
    response.ok()
    await post(client, "{ nope }")
    assert sample("gateway_requests_total", ok_labels) == before["ok"] + 1
    assert sample("gateway_requests_total",
                  {"route": "/graphql", "operation": "anonymous", "outcome": "client_error"}) == before["invalid"] + 1
    assert sample("gateway_graphql_errors_total", {"code": "GRAPHQL_VALIDATION_FAILED"}) == before["errors"] + 1
    assert sample("gateway_request_sql_statements_count") == before["sql_count"] + 2
    assert sample("gateway_request_sql_statements_sum") == before["sql_sum"] + len(response.statements)
    assert sample("gateway_request_duration_seconds_count",
                  {"route": "/graphql", "operation": "ObservedBackfills"}) == before["latency"] + 1


async def test_under_a_mount_the_labels_name_the_route_and_the_log_the_whole_path(
    make_gateway, caplog
):
    """Inside Airflow the gateway is mounted under a prefix: its metrics and quiet
    routes go by the route (`/graphql`, `/healthz`), its log lines keep the path."""
    gateway = make_gateway()
    outer = Starlette(routes=[Mount("/backfills-ui", app=gateway.app)])
    labels = {"route": "/graphql", "operation": "ObservedBackfills", "outcome": "ok"}
    before = sample("gateway_requests_total", labels)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=outer), base_url="http://airflow.test"
    ) as http:
        with caplog.at_level(logging.INFO, logger="gateway.access"):
            answered = await http.post(
                "/backfills-ui/graphql", json={"query": NAMED}, headers={"accept": "application/json"}
            )
            probed = await http.get("/backfills-ui/healthz")
    assert (answered.status_code, probed.status_code) == (200, 200)
    assert sample("gateway_requests_total", labels) == before + 1
    [line] = access_records(caplog)  # the probe is logged at DEBUG, as at the root
    assert (line["path"], line["operation"]) == ("/backfills-ui/graphql", "ObservedBackfills")


async def test_metrics_endpoint_speaks_prometheus_with_pool_usage(make_gateway):
    client = make_gateway(pool_size=4, pool_max_overflow=2)
    await post(client, "{ backfills { totalCount } }")
    response = await client.http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    families = {family.name: family for family in text_string_to_metric_families(response.text)}
    for name in ("gateway_requests", "gateway_request_duration_seconds", "gateway_graphql_errors",
                 "gateway_request_sql_statements", "gateway_db_pool_checked_out", "gateway_db_pool_idle"):
        assert name in families, name
    assert families["gateway_db_pool_capacity"].samples[0].value == 6
    assert families["gateway_db_pool_idle"].samples[0].value >= 1


async def test_operation_labels_are_bounded(make_gateway, monkeypatch):
    monkeypatch.setattr(metrics, "MAX_OPERATION_LABELS", 0)
    monkeypatch.setattr(metrics, "_operation_labels", set())
    client = make_gateway()
    labels = {"route": "/graphql", "operation": "other", "outcome": "ok"}
    before = sample("gateway_requests_total", labels)
    await post(client, "query Fresh123 { __typename }")
    assert sample("gateway_requests_total", labels) == before + 1


async def test_tracing_spans_only_when_enabled(make_gateway):
    pytest.importorskip("opentelemetry.sdk")
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    provider.add_span_processor(SimpleSpanProcessor(exporter))

    off = await post(make_gateway(), "{ __typename }")
    assert codes(off) == []
    assert exporter.get_finished_spans() == ()
    on = await post(make_gateway(otel_tracing=True), "query Traced { backfills(first: 1) { totalCount } }")
    assert codes(on) == []
    names = [span.name for span in exporter.get_finished_spans()]
    assert any("Traced" in name for name in names), names
    assert any("Parsing" in name for name in names), names
