"""web/json_logging.py: what a configured process writes (in a child process: the
configuration is process-wide)."""

from __future__ import annotations

import json
import subprocess
import sys

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
