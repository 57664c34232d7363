"""Prometheus metrics: per request, per GraphQL error code, and the connection pool.

Metrics live in prometheus-client's default registry. With several worker
processes, set `PROMETHEUS_MULTIPROC_DIR` to an empty directory before start:
each worker writes its samples there and `/metrics` sums them, whichever
worker answers the scrape.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.requests import Request
from starlette.responses import Response

from backfill_gateway.db.engine import (
    connections_in_use,
    idle_connections,
    waiting_for_connection,
)
from backfill_gateway.web.request_record import RequestRecord

_OPERATION_LABEL = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,99}")
# Operation names come from clients: at most this many distinct labels, then "other".
MAX_OPERATION_LABELS = 200

REQUESTS = Counter(
    "gateway_requests",
    "HTTP requests, by route, GraphQL operation name and outcome "
    "(ok, client_error, unavailable, server_error).",
    ["route", "operation", "outcome"],
)
DURATION = Histogram(
    "gateway_request_duration_seconds",
    "Time from receiving a request to sending its response, by route and operation.",
    ["route", "operation"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
ERRORS = Counter(
    "gateway_graphql_errors", "GraphQL errors in responses, by `extensions.code`.", ["code"]
)
SQL_STATEMENTS = Histogram(
    "gateway_request_sql_statements",
    "SQL statements sent for one GraphQL request.",
    buckets=(0, 1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 50),
)
QUERY_COST = Histogram(
    "gateway_query_cost_nodes",
    "Computed node cost of executed GraphQL queries.",
    buckets=(0, 10, 100, 500, 1000, 2500, 5000, 10000, 20000, 50000, 100000),
)
POOL_CHECKED_OUT = Gauge(
    "gateway_db_pool_checked_out",
    "Database connections in use by requests.",
    multiprocess_mode="livesum",
)
POOL_IDLE = Gauge(
    "gateway_db_pool_idle", "Open database connections waiting in the pool.", multiprocess_mode="livesum"
)
POOL_CAPACITY = Gauge(
    "gateway_db_pool_capacity",
    "Most connections the pool may hold on the primary database (pool size plus overflow, "
    "at most GATEWAY_PRIMARY_MAX_CONNECTIONS); summed over the workers: the gateway's ceiling.",
    multiprocess_mode="livesum",
)
POOL_WAITING = Gauge(
    "gateway_db_pool_waiting",
    "Requests waiting for a database connection (a free pool slot, or a new connection).",
    multiprocess_mode="livesum",
)
READ_RETRIES = Counter(
    "gateway_db_read_retries",
    "Reads whose database connection was lost under them and that ran again on a fresh one.",
)

REPLICA_LAG = Gauge(
    "gateway_db_replica_lag_seconds",
    "Seconds each read replica was behind the primary at its last check (+Inf: unknown, "
    "e.g. replication stopped; NaN: it did not answer).",
    ["replica"],
    multiprocess_mode="livemax",
)
REPLICA_USABLE = Gauge(
    "gateway_db_replica_usable",
    "1 when reads use the replica (it answered, lag within GATEWAY_REPLICA_MAX_LAG_SECONDS), "
    "else 0.",
    ["replica"],
    multiprocess_mode="livemin",
)
LIVE_SUBSCRIPTIONS = Gauge(
    "gateway_live_subscriptions", "Active subscriptions (subscribers).", multiprocess_mode="livesum"
)
LIVE_GROUPS = Gauge(
    "gateway_live_groups",
    "Distinct subscriptions (document, variables, DAG scope), each executed once per change.",
    multiprocess_mode="livesum",
)
LIVE_POLLS = Counter("gateway_live_polls", "Change-detection intervals run.")
LIVE_POLL_STATEMENTS = Histogram(
    "gateway_live_interval_sql_statements",
    "SQL statements of one change-detection interval: the detection and the re-reads.",
    buckets=(0, 1, 2, 3, 5, 10, 20, 50, 100, 500),
)

_operation_labels: set[str] = set()


def operation_label(name: str | None, graphql: bool) -> str:
    if not graphql:
        return ""
    if not name:
        return "anonymous"
    if not _OPERATION_LABEL.fullmatch(name):
        return "other"
    if name not in _operation_labels:
        if len(_operation_labels) >= MAX_OPERATION_LABELS:
            return "other"
        _operation_labels.add(name)
    return name


# What observe_pool last set, in its order (it runs once per request: most requests find
# the pool as the one before left it, and skip the four sets).
_pool_values: list[int | None] = [None, None, None, None]
_POOL_GAUGES = (POOL_WAITING, POOL_CHECKED_OUT, POOL_IDLE, POOL_CAPACITY)


def observe_pool(engine) -> None:
    waiting = waiting_for_connection(engine)
    pool = engine.pool
    try:
        checked_out, idle = connections_in_use(engine), idle_connections(engine)
        capacity = pool.size() + max(0, getattr(pool, "_max_overflow", 0))
    except (AttributeError, NotImplementedError):  # pools without counters (NullPool, ...)
        _set_changed(0, waiting)
        return
    for position, value in enumerate((waiting, checked_out, idle, capacity)):
        _set_changed(position, value)


def _set_changed(position: int, value: int) -> None:
    if _pool_values[position] != value:
        _POOL_GAUGES[position].set(value)
        _pool_values[position] = value


def observe_replicas(replicas) -> None:
    """Each replica's last measured lag and whether reads use it (db.replicas.Replica)."""
    for replica in replicas:
        lag = replica.lag_seconds
        REPLICA_LAG.labels(replica.label).set(float("nan") if lag is None else lag)
        REPLICA_USABLE.labels(replica.label).set(1 if replica.healthy else 0)


# The labelled children by (route, operation, outcome): `labels()` validates and looks
# them up under a lock on every call; the label values are bounded (operation_label).
_request_children: dict[tuple[str, str, str], tuple] = {}


def observe_request(record: RequestRecord, route: str, outcome: str, duration: float) -> None:
    operation = operation_label(record.operation, record.graphql)
    key = (route, operation, outcome)
    children = _request_children.get(key)
    if children is None:
        children = _request_children[key] = (
            REQUESTS.labels(route, operation, outcome), DURATION.labels(route, operation)
        )
    children[0].inc()
    children[1].observe(duration)
    for code in record.error_codes:
        ERRORS.labels(code).inc()
    if record.sql_statements is not None:
        SQL_STATEMENTS.observe(record.sql_statements)
    if record.read_retries:
        READ_RETRIES.inc(record.read_retries)
    if record.cost is not None:
        QUERY_COST.observe(record.cost)


def observe_poll(statements: int) -> None:
    LIVE_POLLS.inc()
    LIVE_POLL_STATEMENTS.observe(statements)


def observe_live(hub) -> None:
    LIVE_SUBSCRIPTIONS.set(hub.subscriber_count)
    LIVE_GROUPS.set(len(hub.groups))


def metrics_endpoint(engine, on_scrape: Callable[[], None] | None = None):
    async def metrics(request: Request) -> Response:
        observe_pool(engine)
        if on_scrape is not None:
            on_scrape()
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            from prometheus_client import multiprocess

            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
        else:
            registry = REGISTRY
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return metrics


def mark_worker_exit() -> None:
    """Drop this process's live gauges from the multi-process metrics directory."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(os.getpid())
