"""Logging: every log (the gateway's and uvicorn's) to stdout, one JSON object per line."""

from __future__ import annotations

import logging
import math
import os
import sys
import time
from datetime import UTC, datetime
from typing import Any

import orjson

from backfill_gateway.web.request_record import current_record

# The last whole second formatted (its timestamp, its date and time of day): a line per
# request would otherwise format the same second again (datetime's isoformat, ~3 us).
_second_formatted: list = [None, ""]


def utc_time(created: float) -> str:
    """`datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")`, rounded
    to microseconds as datetime rounds (half to even) and then cut to milliseconds."""
    second = math.floor(created)
    micro = round((created - second) * 1e6)
    if micro >= 1_000_000:
        second, micro = second + 1, micro - 1_000_000
    if second != _second_formatted[0]:
        _second_formatted[1] = datetime.fromtimestamp(second, UTC).isoformat()[:19]
        _second_formatted[0] = second
    return f"{_second_formatted[1]}.{micro // 1000:03d}+00:00"


def _json_line(
    created: float, level: str, logger: str, message: str, pid: int | None, data: Any,
    exception: str | None = None,
) -> str:
    entry: dict[str, Any] = {
        "time": utc_time(created),
        "level": level,
        "logger": logger,
        "message": message,
        "pid": pid,
    }
    current = current_record.get()
    if current is not None:
        entry["request_id"] = current.request_id
    if isinstance(data, dict):
        entry.update(data)
    if exception:
        entry["exception"] = exception
    return orjson.dumps(entry, default=str).decode()


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, pid, request id, fields."""

    def format(self, record: logging.LogRecord) -> str:
        exception = self.formatException(record.exc_info) if record.exc_info else None
        return _json_line(
            record.created, record.levelname, record.name, record.getMessage(), record.process,
            getattr(record, "data", None), exception,
        )


def write_json_line(logger: logging.Logger, level: int, message: str, data: dict) -> bool:
    """Write the line `logger.log(level, message, extra={"data": data})` would write, when
    the logging configuration is one JSON stream (configure_logging's, logging.json's):
    `logger` without handlers or filters of its own, under the root, whose one handler is
    a StreamHandler with JsonFormatter. False, writing nothing, for any other
    configuration: then log as usual. The caller checks `logger.isEnabledFor(level)`.

    The access log writes a line per request, and the logging module's path to it
    (a LogRecord, the logger and handler chain, ~60 calls) cost ~6% of the smallest
    request's instructions (bench/README.md).
    """
    root = logger.root
    if logger.handlers or logger.filters or not logger.propagate or logger.parent is not root:
        return False
    handlers = root.handlers
    if len(handlers) != 1 or root.filters:
        return False
    handler = handlers[0]
    if (
        type(handler) is not logging.StreamHandler
        or type(handler.formatter) is not JsonFormatter
        or handler.filters
        or level < handler.level
    ):
        return False
    pid = os.getpid() if logging.logProcesses else None
    line = _json_line(time.time(), logging.getLevelName(level), logger.name, message, pid, data)
    try:
        with handler.lock:  # as StreamHandler.emit writes, under the handler's lock
            handler.stream.write(line + handler.terminator)
            handler.flush()
    except RecursionError:
        raise
    except Exception:  # noqa: BLE001 - as logging does: reported, never raised
        handler.handleError(logger.makeRecord(logger.name, level, "", 0, message, (), None))
    return True


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
