"""`ObservabilityMiddleware`: request id, timing, one access log line, metrics, last-resort 500.

It takes the caller's `X-Request-ID` (or makes one), echoes it, times the
request, and when the response is sent writes one log line and the metrics
from the request's `RequestRecord` (request_record.py).
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

import orjson

from backfill_gateway.web.execution.errors import INTERNAL_SERVER_ERROR, outcome_of_status
from backfill_gateway.web.json_logging import write_json_line
from backfill_gateway.web.metrics import observe_request
from backfill_gateway.web.request_record import (
    RequestRecord,
    begin_request,
    end_request,
    request_id_from,
)
from backfill_gateway.web.route_path import route_path

access_logger = logging.getLogger("gateway.access")
error_logger = logging.getLogger("gateway.errors")

ROUTES = frozenset({"/graphql", "/healthz", "/readyz", "/metrics"})
# Successful probes and scrapes are logged at DEBUG, so they do not drown the log at INFO.
QUIET_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})


def _finish(record: RequestRecord) -> None:
    duration = time.perf_counter() - record.started
    status = record.status or 500
    route = record.route if record.route in ROUTES else "other"
    outcome = record.outcome or outcome_of_status(status)
    observe_request(record, route, outcome, duration)
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
        if record.read_retries:
            data["read_retries"] = record.read_retries
    quiet = record.route in QUIET_ROUTES and status < 400
    level = logging.DEBUG if quiet else logging.INFO
    if access_logger.isEnabledFor(level):
        message = f"{record.method} {record.path} {status}"
        if not write_json_line(access_logger, level, message, data):
            access_logger.log(level, "%s", message, extra={"data": data})


class ObservabilityMiddleware:
    """Pure ASGI middleware: request id, timing, access log, metrics, last-resort 500."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        record = RequestRecord(
            request_id_from(scope["headers"]), scope["method"], scope["path"], route_path(scope)
        )
        token = begin_request(record)
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
                _finish(record)
            finally:
                end_request(token)
