"""Logging: every log (the gateway's and uvicorn's) to stdout, one JSON object per line."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from typing import Any

import orjson

from backfill_gateway.web.request_record import current_record


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
        current = current_record.get()
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
    # Each request writes a line: leave out of every record what neither format prints
    # (the logging HOWTO's "Optimization": the caller's file and line, found by walking
    # the stack, and the thread's and process's names). The process id stays.
    logging._srcfile = None
    logging.logThreads = False
    logging.logMultiprocessing = False
