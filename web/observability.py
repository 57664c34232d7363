"""Request ids, one JSON log line per request, Prometheus metrics.

`ObservabilityMiddleware` wraps every request: it takes the caller's
`X-Request-ID` (or makes one), echoes it, times the request, and when the
response is sent writes one log line and the metrics. The GraphQL endpoint
and the query-limits extension fill in what only they know (operation name,
outcome, error codes, SQL statement count, caller, cost) through the request's
`RequestRecord`, reached through a context variable: nothing is kept between
requests.

Metrics live in prometheus-client's default registry. With several worker
processes, set `PROMETHEUS_MULTIPROC_DIR` to an empty directory before start:
each worker writes its samples there and `/metrics` sums them, whichever
worker answers the scrape.
"""

from __future__ import annotations

import contextvars
import logging
import os
import re
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
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

from backfill_gateway.web.execution.errors import INTERNAL_SERVER_ERROR

access_logger = logging.getLogger("gateway.access")
error_logger = logging.getLogger("gateway.errors")

REQUEST_ID_HEADER = "x-request-id"
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:/+=@-]{1,128}")
_OPERATION_LABEL = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,99}")
# Operation names come from clients: at most this many distinct labels, then "other".
MAX_OPERATION_LABELS = 200
ROUTES = frozenset({"/graphql", "/healthz", "/readyz", "/metrics"})
# Successful probes and scrapes are logged at DEBUG, so they do not drown the log at INFO.
QUIET_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})

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
    "Most connections the pool may open (pool size plus overflow).",
    multiprocess_mode="livesum",
)

_operation_labels: set[str] = set()


@dataclass
class RequestRecord:
    """What one request's log line and metrics say; filled in as the request goes."""

    request_id: str
    method: str
    path: str
    started: float = field(default_factory=time.perf_counter)
    status: int | None = None
    operation: str | None = None
    outcome: str | None = None
    error_codes: list[str] = field(default_factory=list)
    sql_statements: int | None = None
    caller: str | None = None
    cost: int | None = None
    graphql: bool = False


_current: contextvars.ContextVar[RequestRecord | None] = contextvars.ContextVar(
    "gateway_request", default=None
)


def current_request() -> RequestRecord | None:
    return _current.get()


def note_operation(name: str | None) -> None:
    record = _current.get()
    if record is not None:
        record.operation = name


def note_cost(cost: int) -> None:
    record = _current.get()
    if record is not None:
        record.cost = cost


def request_id_from(headers) -> str:
    candidate = headers.get(REQUEST_ID_HEADER, "")
    return candidate if _VALID_REQUEST_ID.fullmatch(candidate) else uuid.uuid4().hex


def _outcome_of_status(status: int) -> str:
    if status == 503:
        return "unavailable"
    if status >= 500:
        return "server_error"
    return "client_error" if status >= 400 else "ok"


def _operation_label(name: str | None, graphql: bool) -> str:
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


def observe_pool(engine) -> None:
    pool = engine.pool
    try:
        checked_out, idle = pool.checkedout(), pool.checkedin()
        capacity = pool.size() + max(0, getattr(pool, "_max_overflow", 0))
    except (AttributeError, NotImplementedError):  # pools without counters (NullPool, ...)
        return
    POOL_CHECKED_OUT.set(checked_out)
    POOL_IDLE.set(idle)
    POOL_CAPACITY.set(capacity)


def _finish(record: RequestRecord) -> None:
    duration = time.perf_counter() - record.started
    status = record.status or 500
    route = record.path if record.path in ROUTES else "other"
    outcome = record.outcome or _outcome_of_status(status)
    operation = _operation_label(record.operation, record.graphql)
    REQUESTS.labels(route, operation, outcome).inc()
    DURATION.labels(route, operation).observe(duration)
    for code in record.error_codes:
        ERRORS.labels(code).inc()
    if record.sql_statements is not None:
        SQL_STATEMENTS.observe(record.sql_statements)
    if record.cost is not None:
        QUERY_COST.observe(record.cost)
    data: dict[str, Any] = {
        "request_id": record.request_id,
        "method": record.method,
        "path": record.path,
        "status": status,
        "duration_ms": round(duration * 1000, 2),
        "outcome": outcome,
    }
    if record.graphql:
        data.update(
            operation=record.operation,
            sql_statements=record.sql_statements,
            caller=record.caller,
            cost=record.cost,
            error_codes=record.error_codes,
        )
    quiet = record.path in QUIET_ROUTES and status < 400
    access_logger.log(
        logging.DEBUG if quiet else logging.INFO,
        "%s %s %s",
        record.method,
        record.path,
        status,
        extra={"data": data},
    )


class ObservabilityMiddleware:
    """Pure ASGI middleware: request id, timing, access log, metrics, last-resort 500."""

    def __init__(self, app, engine=None) -> None:
        self.app = app
        self.engine = engine

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        record = RequestRecord(request_id_from(headers), scope["method"], scope["path"])
        token = _current.set(record)
        request_id_header = (b"x-request-id", record.request_id.encode("ascii"))

        async def send_with_id(message) -> None:
            if message["type"] == "http.response.start":
                record.status = message["status"]
                message["headers"] = [*message.get("headers", []), request_id_header]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            error_id = uuid.uuid4().hex
            error_logger.exception("unhandled error %s", error_id, extra={"data": {"errorId": error_id}})
            record.outcome = "server_error"
            record.error_codes = [INTERNAL_SERVER_ERROR.code]
            if record.status is None:
                body = orjson.dumps({"errors": [{
                    "message": "Internal server error",
                    "extensions": {"code": INTERNAL_SERVER_ERROR.code, "errorId": error_id},
                }]})
                await send_with_id({
                    "type": "http.response.start",
                    "status": INTERNAL_SERVER_ERROR.status,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())],
                })
                await send({"type": "http.response.body", "body": body})
        finally:
            try:
                if self.engine is not None:
                    observe_pool(self.engine)
                _finish(record)
            finally:
                _current.reset(token)


def metrics_endpoint(engine):
    async def metrics(request: Request) -> Response:
        observe_pool(engine)
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


# --- logging -----------------------------------------------------------------------------


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, pid, request id, fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
        }
        current = _current.get()
        if current is not None:
            entry["request_id"] = current.request_id
        data = getattr(record, "data", None)
        if isinstance(data, dict):
            entry.update(data)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


def configure_logging(log_format: str = "json", level: str = "INFO") -> None:
    """Route every log (the gateway's and uvicorn's) to stdout in one format.

    uvicorn's own access log is turned off: the gateway writes one line per
    request itself, with the request id, operation and outcome.
    """
    handler = logging.StreamHandler(sys.stdout)
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers = []
        logger.propagate = True
    logging.getLogger("uvicorn.access").disabled = True
