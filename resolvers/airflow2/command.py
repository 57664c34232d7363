"""The requested range and flags of an Airflow 2 backfill, from its `cli_dag_backfill` audit row.

Airflow 2 records neither the range nor the flags of `airflow dags backfill`: only the CLI's
audit row in `log` (`extra` = JSON with `full_command`, the argv, as a Python list's repr
or a list) written about 0.3 s before the job row. It carries no job id, so it is paired by
DAG and time: the latest such row of the job's DAG at most PAIRING_WINDOW before the job
started.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import orjson

PAIRING_WINDOW = timedelta(seconds=10)


@dataclass(frozen=True, slots=True)
class BackfillCommand:
    argv: tuple[str, ...]
    start: datetime | None
    end: datetime | None
    run_backwards: bool
    reset_dag_runs: bool
    rerun_failed_tasks: bool
    conf: object | None


def _argv(extra: str) -> tuple[str, ...] | None:
    try:
        payload = orjson.loads(extra)
    except orjson.JSONDecodeError:
        return None
    command = payload.get("full_command") if isinstance(payload, dict) else None
    if isinstance(command, str):
        try:  # str(sys.argv): a literal, never evaluated as code
            command = ast.literal_eval(command)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return None
    if not isinstance(command, list | tuple) or not all(isinstance(a, str) for a in command):
        return None
    return tuple(command)


def _option(argv: tuple[str, ...], *names: str) -> str | None:
    value = None
    for index, arg in enumerate(argv):
        for name in names:
            if arg == name and index + 1 < len(argv):
                value = argv[index + 1]
            elif name.startswith("--") and arg.startswith(name + "="):
                value = arg[len(name) + 1 :]
    return value


def _date(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    # Airflow reads naive dates in its default time zone, UTC unless configured otherwise.
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def parse_command(
    extra: str | None, logged_at: datetime | None, job_started: datetime | None
) -> BackfillCommand | None:
    """The command of the paired audit row, or None when there is none to pair."""
    if extra is None or logged_at is None or job_started is None:
        return None
    if not timedelta(0) <= job_started - logged_at <= PAIRING_WINDOW:
        return None
    argv = _argv(extra)
    if argv is None or "backfill" not in argv:
        return None
    start = _date(_option(argv, "-s", "--start-date"))
    end = _date(_option(argv, "-e", "--end-date"))
    conf_text = _option(argv, "-c", "--conf")
    conf = None
    if conf_text is not None:
        try:
            conf = orjson.loads(conf_text)
        except orjson.JSONDecodeError:
            conf = None
    return BackfillCommand(
        argv=argv,
        # Airflow 2 backfills one date when only one end of the range is given.
        start=start or end,
        end=end or start,
        run_backwards="--run-backwards" in argv or "-B" in argv,
        reset_dag_runs="--reset-dagruns" in argv,
        rerun_failed_tasks="--rerun-failed-tasks" in argv,
        conf=conf,
    )
