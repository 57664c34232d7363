"""Prometheus metrics: per request, per GraphQL error code, and the connection pool.

Metrics live in prometheus-client's default registry. With several worker
processes, set `PROMETHEUS_MULTIPROC_DIR` to an empty directory before start:
each worker writes its samples there and `/metrics` sums them, whichever
worker answers the scrape.

A request's observations are tallied in plain counts (`observe_request`) and
published to the metrics by `publish_pending`: before anything reads the default
registry (a scrape, a test), on every scrape, and once a second by each worker
(`publish_every`, started by the app), so a multi-process scrape sees the other
workers' requests at most a second late. prometheus-client takes a lock per
counter and bucket update: four metrics per request cost ~10 us, ~1% of the
smallest query (bench/README.md). The pool gauges are sampled by the same tick
and on scrape, not at the end of every request.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
from bisect import bisect_left
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

logger = logging.getLogger("gateway.metrics")


class _PublishFirst:
    """Publishes the pending observations whenever the default registry is read.
    Registered before the gateway's metrics: the registry collects in that order."""

    def describe(self) -> list:
        return []

    def collect(self) -> list:
        publish_pending()
        return []


REGISTRY.register(_PublishFirst())

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


class PendingCount:
    """Increments of one counter (a labelled child) not published yet."""

    __slots__ = ("counter", "amount")

    def __init__(self, counter) -> None:
        self.counter = counter
        self.amount = 0

    def publish(self) -> None:
        amount, self.amount = self.amount, 0
        if amount:
            self.counter.inc(amount)


class PendingHistogram:
    """Observations of one histogram (a labelled child) not published yet: a count per
    bucket and their sum, published as `observe` would have left them."""

    __slots__ = ("histogram", "bounds", "counts", "total")

    def __init__(self, histogram) -> None:
        self.histogram = histogram
        self.bounds = tuple(histogram._upper_bounds)  # ends with +Inf
        self.counts = [0] * len(self.bounds)
        self.total = 0.0

    def observe(self, amount: float) -> None:
        # The first bucket whose bound is >= amount, as Histogram.observe counts it.
        self.counts[bisect_left(self.bounds, amount)] += 1
        self.total += amount

    def publish(self) -> None:
        counts, total = self.counts, self.total
        if not any(counts):
            return
        self.counts, self.total = [0] * len(self.bounds), 0.0
        histogram = self.histogram
        histogram._raise_if_not_observable()
        histogram._sum.inc(total)
        for bucket, count in zip(histogram._buckets, counts, strict=True):
            if count:
                bucket.inc(count)


# Every pending tally, in creation order; their labels are bounded (operation_label, the
# error codes), so is this list.
_pending: list[PendingCount | PendingHistogram] = []


def _tally(pending):
    _pending.append(pending)
    return pending


_sql_statements = _tally(PendingHistogram(SQL_STATEMENTS))
_query_cost = _tally(PendingHistogram(QUERY_COST))
_read_retries = _tally(PendingCount(READ_RETRIES))
# By (route, operation, outcome): the request count and duration; by code: errors.
_request_tallies: dict[tuple[str, str, str], tuple[PendingCount, PendingHistogram]] = {}
_duration_tallies: dict[tuple[str, str], PendingHistogram] = {}
_error_tallies: dict[str, PendingCount] = {}


def _request_tally(route: str, operation: str, outcome: str) -> tuple:
    duration = _duration_tallies.get((route, operation))
    if duration is None:
        duration = _duration_tallies[(route, operation)] = _tally(
            PendingHistogram(DURATION.labels(route, operation))
        )
    count = _tally(PendingCount(REQUESTS.labels(route, operation, outcome)))
    _request_tallies[(route, operation, outcome)] = (count, duration)
    return count, duration


def observe_request(record: RequestRecord, route: str, outcome: str, duration: float) -> None:
    """Tallies the request (published by publish_pending)."""
    operation = operation_label(record.operation, record.graphql)
    tallies = _request_tallies.get((route, operation, outcome))
    if tallies is None:
        tallies = _request_tally(route, operation, outcome)
    tallies[0].amount += 1
    tallies[1].observe(duration)
    for code in record.error_codes:
        errors = _error_tallies.get(code)
        if errors is None:
            errors = _error_tallies[code] = _tally(PendingCount(ERRORS.labels(code)))
        errors.amount += 1
    if record.sql_statements is not None:
        _sql_statements.observe(record.sql_statements)
    if record.read_retries:
        _read_retries.amount += record.read_retries
    if record.cost is not None:
        _query_cost.observe(record.cost)


def publish_pending() -> None:
    """Publish the tallied observations to the metrics (in the event loop's thread)."""
    for pending in _pending:
        pending.publish()


async def publish_every(engine, seconds: float) -> None:
    """Each worker's tick: the pool gauges sampled and the tallies published. A tick that
    fails (say, the multiprocess directory gone) is logged, once until a tick succeeds
    again, and the next tick tries again: metrics must not stop for good, nor flood the log."""
    failing = False
    while True:
        await asyncio.sleep(seconds)
        try:
            observe_pool(engine)
            publish_pending()
        except Exception:
            if not failing:
                logger.exception("publishing the metrics failed; trying again every %ss", seconds)
            failing = True
        else:
            if failing:
                logger.warning("publishing the metrics works again")
            failing = False


def observe_poll(statements: int) -> None:
    LIVE_POLLS.inc()
    LIVE_POLL_STATEMENTS.observe(statements)


def observe_live(hub) -> None:
    LIVE_SUBSCRIPTIONS.set(hub.subscriber_count)
    LIVE_GROUPS.set(len(hub.groups))


def metrics_endpoint(engine, on_scrape: Callable[[], None] | None = None):
    async def metrics(request: Request) -> Response:
        observe_pool(engine)
        publish_pending()
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
