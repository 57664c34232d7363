"""The command line, run as a real process."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from backfill_gateway.web.execution.executable_schema import build_schema

schema = build_schema()

PROJECT_DIR = Path(__file__).resolve().parents[1]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "backfill_gateway.cli", *args], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=120
    )


def test_demo_command_creates_a_fresh_database_every_time(tmp_path):
    path = tmp_path / "demo.sqlite"
    first = run_cli("demo", "--path", str(path))
    assert first.returncode == 0, first.stderr
    with sqlite3.connect(path) as connection:
        backfills = connection.execute("SELECT count(*) FROM backfill").fetchone()[0]
        connection.execute("DELETE FROM backfill_dag_run")
    assert backfills > 0 and str(path) in first.stdout
    again = run_cli("demo", "--path", str(path))
    assert again.returncode == 0, again.stderr
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT count(*) FROM backfill_dag_run").fetchone()[0] > 1000
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_schema_command_prints_the_sdl():
    result = run_cli("schema")
    assert result.returncode == 0
    assert result.stdout == schema.as_str() + "\n"
