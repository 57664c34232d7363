"""Pairing an Airflow 2 BackfillJob with its `cli_dag_backfill` audit row, and reading its argv."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson

from backfill_gateway.resolvers.airflow2.command import parse_command

STARTED = datetime(2026, 9, 15, 12, 0, tzinfo=UTC)
LOGGED = STARTED - timedelta(milliseconds=300)


def extra(argv, as_repr: bool = True) -> str:
    # Airflow 2.11 writes str(sys.argv); a list is read too.
    return orjson.dumps({"host_name": "h", "full_command": str(argv) if as_repr else argv}).decode()


def test_range_and_flags_from_the_command():
    argv = ["airflow", "dags", "backfill", "etl", "-s", "2026-01-01", "--end-date=2026-01-31T06:00:00",
            "--run-backwards", "--reset-dagruns", "--rerun-failed-tasks", "-c", '{"a": [1]}', "-y"]  # fmt: skip
    for as_repr in (True, False):
        command = parse_command(extra(argv, as_repr), LOGGED, STARTED)
        assert command.start == datetime(2026, 1, 1, tzinfo=UTC)
        assert command.end == datetime(2026, 1, 31, 6, tzinfo=UTC)
        assert (command.run_backwards, command.reset_dag_runs, command.rerun_failed_tasks) == (True, True, True)
        assert command.conf == {"a": [1]}


def test_one_end_of_the_range_is_both_ends_and_short_flags():
    command = parse_command(extra(["airflow", "dags", "backfill", "etl", "-e", "2026-02-02", "-B"]), LOGGED, STARTED)
    assert command.start == command.end == datetime(2026, 2, 2, tzinfo=UTC)
    assert command.run_backwards is True and command.reset_dag_runs is False
    assert command.conf is None


def test_rows_too_far_from_the_job_start_are_not_paired():
    argv = extra(["airflow", "dags", "backfill", "etl", "-s", "2026-01-01"])
    assert parse_command(argv, STARTED - timedelta(seconds=11), STARTED) is None
    assert parse_command(argv, STARTED + timedelta(seconds=1), STARTED) is None
    assert parse_command(argv, None, STARTED) is None
    assert parse_command(None, LOGGED, STARTED) is None


def test_unreadable_commands_are_not_paired():
    for bad in ("not json", '{"full_command": "__import__(\\"os\\").system(\\"x\\")"}',
                '{"full_command": 5}', '{"full_command": "[1, 2]"}', "[]",
                extra(["airflow", "dags", "trigger", "etl"])):  # fmt: skip
        assert parse_command(bad, LOGGED, STARTED) is None, bad
