"""The production start command, for real: uvicorn with two workers as a subprocess.

Checks readiness, that any worker answers any request (no state between
requests), that /metrics sums every worker's counts, and that stdout is one
JSON object per line with one access line per request.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from backfill_gateway.app import METRICS_TICK_SECONDS

PROJECT_DIR = Path(__file__).resolve().parents[2]
REQUESTS = 40

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(http_database, tmp_path):
    port = free_port()
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    log_path = tmp_path / "server.log"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_")},
        "DATABASE_URL": http_database.url,
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "GATEWAY_LOG_FORMAT": "json",
    }
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "app:app", "--host", "127.0.0.1", "--port", str(port),
             "--workers", "2", "--no-access-log", "--log-config", "logging.json"],
            cwd=PROJECT_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.2)
        yield base_url, process, log_path
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def graphql_total(metrics_text: str) -> float:
    for family in text_string_to_metric_families(metrics_text):
        if family.name == "gateway_requests":
            return sum(
                s.value for s in family.samples
                if s.name == "gateway_requests_total" and s.labels["route"] == "/graphql"
            )
    return 0.0


def test_two_workers_serve_log_and_count_together(server):
    base_url, process, log_path = server
    assert httpx.get(f"{base_url}/readyz", timeout=5).status_code == 200
    ids = [f"server-test-{n}" for n in range(REQUESTS)]
    for request_id in ids:
        # a new connection each time, so the kernel spreads them over the workers
        with httpx.Client(base_url=base_url, timeout=10) as client:
            response = client.post(
                "/graphql",
                json={"query": "query Served { backfills(first: 2) { nodes { backfillId } } }"},
                headers={"x-request-id": request_id, "accept": "application/graphql-response+json"},
            )
        assert response.status_code == 200
        assert response.headers["x-request-id"] == request_id
        assert len(response.json()["data"]["backfills"]["nodes"]) == 2
    # Whichever worker answers the scrape, it reports every worker's requests: each worker
    # publishes its requests' metrics every second (web.metrics.publish_every), after which
    # every scrape has them all.
    deadline = time.monotonic() + 10 * METRICS_TICK_SECONDS
    while True:
        with httpx.Client(base_url=base_url, timeout=10) as client:
            if graphql_total(client.get("/metrics").text) == REQUESTS:
                break
        assert time.monotonic() < deadline, "a worker's requests were never published"
        time.sleep(0.1)
    for _ in range(6):
        with httpx.Client(base_url=base_url, timeout=10) as client:
            assert graphql_total(client.get("/metrics").text) == REQUESTS

    process.send_signal(signal.SIGINT)
    process.wait(timeout=30)
    lines = [line for line in log_path.read_text().splitlines() if line.strip()]
    entries = []
    for line in lines:
        entries.append(json.loads(line))  # every line is JSON, uvicorn's own included
    access = [e for e in entries if e["logger"] == "gateway.access" and e.get("path") == "/graphql"]
    assert sorted(e["request_id"] for e in access) == sorted(ids)
    for entry in access:
        assert entry["operation"] == "Served"
        assert entry["outcome"] == "ok"
        assert entry["status"] == 200
        assert entry["sql_statements"] >= 1
        assert entry["duration_ms"] > 0
    started = {e["pid"] for e in entries if "Started server process" in e["message"]}
    assert len(started) == 2
    assert {e["pid"] for e in access} <= started
