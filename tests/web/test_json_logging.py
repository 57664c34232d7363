"""web/json_logging.py: what a configured process writes (in a child process: the
configuration is process-wide)."""

from __future__ import annotations

import json
import math
import random
import subprocess
import sys
from datetime import UTC, datetime

from backfill_gateway.web.json_logging import utc_time

SCRIPT = """
import logging, os
from backfill_gateway.web.json_logging import configure_logging
configure_logging({log_format!r}, "INFO")
print(os.getpid(), flush=True)
logging.getLogger("gateway.access").info("POST %s %s", "/graphql", 200, extra={{"data": {{"status": 200}}}})
try:
    raise ValueError("kaput")
except ValueError:
    logging.getLogger("gateway.errors").exception("unhandled error %s", "e1")
"""


def _run(log_format: str) -> tuple[int, list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(log_format=log_format)],
        capture_output=True, text=True, check=True, timeout=60,
    )
    pid, *lines = done.stdout.splitlines()
    return int(pid), lines


def test_json_lines_carry_what_the_format_prints():
    pid, lines = _run("json")
    access, error = json.loads(lines[0]), json.loads(lines[1])
    assert access["message"] == "POST /graphql 200" and access["status"] == 200
    assert access["logger"] == "gateway.access" and access["level"] == "INFO"
    assert access["pid"] == error["pid"] == pid  # the process id is still recorded
    assert error["message"] == "unhandled error e1"
    assert "ValueError: kaput" in error["exception"]
    assert all(line.startswith("{") for line in lines)


def test_text_lines_carry_time_level_logger_and_message():
    _pid, lines = _run("text")
    assert " INFO gateway.access POST /graphql 200" in lines[0]
    assert lines[0][:4].isdigit()  # asctime first
    assert " ERROR gateway.errors unhandled error e1" in lines[1]
    assert any("ValueError: kaput" in line for line in lines[2:])


DIRECT_SCRIPT = """
import io, json, logging
from backfill_gateway.web.json_logging import configure_logging, write_json_line
from backfill_gateway.web.request_record import RequestRecord, begin_request
configure_logging("json", "INFO")
root = logging.getLogger()
out = io.StringIO()
root.handlers[0].setStream(out)
access = logging.getLogger("gateway.access")
begin_request(RequestRecord("rid-1", "POST", "/graphql"))
data = {"status": 200, "operation": "Q\\u2028\\"", "error_codes": [], "caller": None}

def lines():
    # split("\\n"), not splitlines(): orjson writes U+2028 as it is
    written = [json.loads(line) for line in out.getvalue().split("\\n") if line]
    out.seek(0)
    out.truncate()
    return written

access.log(logging.INFO, "%s", "POST /graphql 200", extra={"data": data})
through_logging = lines()
print(json.dumps({"direct": write_json_line(access, logging.INFO, "POST /graphql 200", data),
                  "direct_lines": lines(), "logging_lines": through_logging}))
# Any other configuration: nothing written, the caller logs as usual.
refused = []
root.handlers[0].addFilter(lambda record: True)
refused.append(write_json_line(access, logging.INFO, "m", data))
root.handlers[0].filters.clear()
root.addHandler(logging.NullHandler())
refused.append(write_json_line(access, logging.INFO, "m", data))
root.handlers.pop()
access.addHandler(logging.NullHandler())
refused.append(write_json_line(access, logging.INFO, "m", data))
access.handlers.clear()
logging.getLogger("gateway")  # a logger between gateway.access and the root
refused.append(write_json_line(logging.getLogger("gateway.access"), logging.INFO, "m", data))
print(json.dumps({"refused": refused, "written": out.getvalue()}))
"""


def test_the_direct_json_line_is_the_logging_line_and_only_under_one_json_stream():
    done = subprocess.run(
        [sys.executable, "-c", DIRECT_SCRIPT], capture_output=True, text=True, check=True,
        timeout=60,
    )  # fmt: skip
    same, others = (json.loads(line) for line in done.stdout.splitlines())
    assert same["direct"] is True
    (direct,), (logged,) = same["direct_lines"], same["logging_lines"]
    assert direct.pop("time")[:10] == logged.pop("time")[:10]
    assert list(direct.items()) == list(logged.items())  # same keys, order and values
    assert direct["request_id"] == "rid-1" and direct["operation"] == 'Q\u2028"'
    assert others == {"refused": [False, False, False, False], "written": ""}


def test_line_times_are_datetimes_isoformat_in_milliseconds():
    generator = random.Random(14)
    seconds = [math.floor(generator.uniform(1.6e9, 1.9e9)) for _ in range(2000)]
    # Fractions that round to the next millisecond or second only when rounded as
    # datetime rounds (to microseconds, half to even), and a run within one second.
    fractions = (0.0, 0.0004999, 0.0005, 0.5, 0.999, 0.9995, 0.9999994999, 0.9999995, 0.9999996)
    moments = [second + fraction for second in seconds for fraction in fractions]
    moments += [generator.uniform(1.6e9, 1.9e9) for _ in range(20000)]
    moments += [seconds[0] + n / 1000 for n in range(1000)]
    for moment in moments:
        assert utc_time(moment) == datetime.fromtimestamp(moment, UTC).isoformat(
            timespec="milliseconds"
        ), moment
