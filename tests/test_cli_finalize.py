"""`backfill-gateway finalize-orphans` as a real subprocess, configured by the environment."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest

from backfill_gateway.db.engine import create_engine
from tests.support.finalize import (
    audit_log,
    backfill_row,
    backfills_by_id,
    insert_rows,
    run_row,
    snapshot,
)

PROJECT_DIR = Path(__file__).resolve().parents[1]
# Each run starts a Python process; MariaDB shares the code path and is covered over HTTP.
ON_SQLITE_AND_POSTGRESQL = pytest.mark.parametrize(
    "empty_database", ["sqlite", "postgresql"], indirect=True
)
# Refused before the database is touched: one database is enough.
ON_SQLITE = pytest.mark.parametrize("empty_database", ["sqlite"], indirect=True)
ORPHAN, YOUNG, ACTIVE, COMPLETED = 1, 2, 3, 4


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[list[str]]:
        return [line.split("\t") for line in self.stdout.splitlines()]

    @property
    def outcomes(self) -> dict[int, str]:
        return {int(fields[0]): fields[1] for fields in self.lines}


async def cli(url: str | None, *args: str, **env_overrides: str) -> Run:
    env = {
        k: v for k, v in os.environ.items()
        if not k.startswith("GATEWAY_") and k not in ("DATABASE_URL", "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN")
    }  # fmt: skip
    env.update({"LOGNAME": "cron-tester", **env_overrides})
    if url is not None:
        env["DATABASE_URL"] = url
    completed = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "backfill_gateway.cli", "finalize-orphans", *args],
        cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    return Run(completed.returncode, completed.stdout, completed.stderr)


@pytest.fixture
async def database(empty_database):
    """Rows relative to the real clock: the CLI runs with it."""
    engine = create_engine(empty_database.url, pool_size=1, max_overflow=1)
    now = datetime.now(UTC)
    await insert_rows(
        engine,
        backfills=[
            backfill_row(ORPHAN, dag_id="etl", created_at=now - timedelta(hours=1)),
            backfill_row(YOUNG, dag_id="young", created_at=now - timedelta(seconds=30)),
            backfill_row(ACTIVE, dag_id="busy", created_at=now - timedelta(days=1)),
            backfill_row(COMPLETED, dag_id="done", completed_at=now - timedelta(hours=2)),
        ],
        runs=[run_row(1, ACTIVE, "running", "busy")],
    )
    yield empty_database.url, engine
    await engine.dispose()


@ON_SQLITE_AND_POSTGRESQL
async def test_dry_run_is_the_default_and_writes_nothing(database):
    url, engine = database
    before = await snapshot(engine)
    run = await cli(url)
    assert run.returncode == 0, run.stderr
    assert run.lines == [
        [str(ORPHAN), "WOULD_FINALIZE", "etl", run.lines[0][3]],
        [str(YOUNG), "TOO_YOUNG", "young", run.lines[1][3]],
        [str(ACTIVE), "HAS_ACTIVE_RUNS", "busy", "owns a queued or running dag run"],
    ]
    assert "dry run" in run.stderr and "3 considered" in run.stderr
    assert await snapshot(engine) == before
    assert (await cli(url, "--dry-run")).outcomes == run.outcomes


@ON_SQLITE_AND_POSTGRESQL
async def test_apply_finalizes_once_and_logs_the_os_user(database):
    url, engine = database
    started = datetime.now(UTC)
    run = await cli(url, "--apply")
    assert run.returncode == 0, run.stderr
    assert run.outcomes == {ORPHAN: "FINALIZED", YOUNG: "TOO_YOUNG", ACTIVE: "HAS_ACTIVE_RUNS"}
    rows = await backfills_by_id(engine)
    assert started <= rows[ORPHAN]["completed_at"] == rows[ORPHAN]["updated_at"] <= datetime.now(UTC)
    [entry] = await audit_log(engine)
    assert (entry["event"], entry["dag_id"], entry["owner"]) == (
        "finalize_orphaned_backfill", "etl", "cli:cron-tester"
    )
    assert entry["extra"]["backfill_id"] == ORPHAN
    assert entry["extra"]["grace_period_seconds"] == 600

    again = await cli(url, "--apply", "--backfill-id", str(ORPHAN), "--backfill-id", "77")
    assert again.outcomes == {ORPHAN: "ALREADY_COMPLETED", 77: "NOT_FOUND"}
    assert again.lines[1][2] == "-"
    assert len(await audit_log(engine)) == 1


@ON_SQLITE_AND_POSTGRESQL
async def test_owner_dag_ids_and_json(database):
    url, engine = database
    run = await cli(url, "--apply", "--owner", "ops-cron", "--dag-id", "etl", "--dag-id", "busy", "--json")
    assert run.returncode == 0, run.stderr
    report = orjson.loads(run.stdout)
    assert report["dryRun"] is False
    assert report["gracePeriodSeconds"] == 600
    assert datetime.fromisoformat(report["now"]) - datetime.fromisoformat(report["cutoff"]) == timedelta(
        seconds=600
    )
    assert [(r["backfillId"], r["dagId"], r["outcome"]) for r in report["results"]] == [
        (ORPHAN, "etl", "FINALIZED"), (ACTIVE, "busy", "HAS_ACTIVE_RUNS"),
    ]  # fmt: skip
    assert report["results"][0]["completedAt"] == report["now"]
    assert report["userErrors"] == []
    assert [row["owner"] for row in await audit_log(engine)] == ["ops-cron"]


@ON_SQLITE_AND_POSTGRESQL
async def test_grace_period_from_the_environment_or_the_option(database):
    url, _ = database
    run = await cli(url, "--backfill-id", str(ORPHAN), GATEWAY_ORPHAN_GRACE_PERIOD_SECONDS="7200")
    assert run.outcomes == {ORPHAN: "TOO_YOUNG"}
    run = await cli(url, "--backfill-id", str(ORPHAN), "--grace", "1800",
                    GATEWAY_ORPHAN_GRACE_PERIOD_SECONDS="7200")  # fmt: skip
    assert run.outcomes == {ORPHAN: "WOULD_FINALIZE"}
    assert "grace 1800 s" in run.stderr


INVALID = [
    (["--grace", "60"], "--grace: gracePeriodSeconds must be at least 120"),
    (["--limit", "0"], "--limit: limit must be between 1 and 1000"),
    (["--backfill-id", "1", "--dag-id", "etl"], "not both"),
]


@ON_SQLITE
async def test_invalid_input_exits_2_and_writes_nothing(database):
    url, engine = database
    before = await snapshot(engine)
    for args, message in INVALID:
        run = await cli(url, "--apply", *args)
        assert run.returncode == 2, args
        assert message in run.stderr, run.stderr
        assert run.stdout == ""
    assert await snapshot(engine) == before


@ON_SQLITE
async def test_dry_run_and_apply_together_is_a_usage_error(database):
    url, engine = database
    before = await snapshot(engine)
    run = await cli(url, "--dry-run", "--apply")
    assert run.returncode == 2
    assert "not allowed with argument" in run.stderr
    assert await snapshot(engine) == before


async def test_an_unreachable_database_exits_1_with_one_line(tmp_path):
    run = await cli(f"sqlite:///{tmp_path}/missing/dir/airflow.db", "--apply")
    assert run.returncode == 1
    assert "unable to open database file" in run.stderr
    assert "Traceback" not in run.stderr


async def test_no_configured_database_is_refused(tmp_path):
    run = await cli(None, GATEWAY_DEMO_DATABASE_PATH=str(tmp_path / "demo.sqlite"))
    assert run.returncode == 1
    assert "no database configured" in run.stderr
    assert not (tmp_path / "demo.sqlite").exists()
