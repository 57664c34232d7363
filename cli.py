"""`backfill-gateway`: the demo database, the SDL, and operations for cron jobs."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path


def _demo(args: argparse.Namespace) -> int:
    from backfill_gateway.demo import create_demo_database
    from backfill_gateway.settings import Settings

    path = args.path or Settings().demo_database_path
    dataset = asyncio.run(create_demo_database(path))
    print(
        f"demo database {path}: {len(dataset.backfills)} backfills, "
        f"{len(dataset.backfill_dag_runs)} slots, {len(dataset.dag_runs)} dag runs"
    )
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from backfill_gateway.web import worker_sockets

    options = dict(
        host=args.host,
        port=args.port,
        workers=args.workers,
        access_log=False,
        # uvicorn's own lines as JSON too, like the gateway's (the README's production start).
        log_config=str(Path(__file__).resolve().parent / "logging.json"),
        timeout_graceful_shutdown=args.graceful_shutdown,
    )
    if args.workers > 1 and worker_sockets.available():
        # A listening socket per worker, not one shared (web/worker_sockets.py).
        try:
            worker_sockets.ensure_address_free(args.host, args.port)
        except OSError as error:
            print(f"cannot listen on {args.host}:{args.port}: {error.strerror}", file=sys.stderr)
            return 1
        config = uvicorn.Config("backfill_gateway.app:app", loop=worker_sockets.LOOP, **options)
        worker_sockets.run_workers(config)
        return 0
    uvicorn.run("backfill_gateway.app:app", **options)
    return 0


def _schema(args: argparse.Namespace) -> int:
    from backfill_gateway.web.execution.executable_schema import build_schema

    sys.stdout.write(build_schema().as_str() + "\n")
    return 0


# Input fields as the CLI spells them, for user errors.
_OPTION_OF_FIELD = {
    "gracePeriodSeconds": "--grace",
    "limit": "--limit",
    "backfillIds": "--backfill-id",
    "dagIds": "--dag-id",
}


def _default_owner() -> str:
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no user name in a bare container
        return "cli:unknown"


def _report_json(report) -> str:
    import orjson

    def iso(value):
        return None if value is None else value.isoformat()

    return orjson.dumps(
        {
            "dryRun": report.dry_run,
            "now": iso(report.now),
            "gracePeriodSeconds": report.grace_period_seconds,
            "cutoff": iso(report.cutoff),
            "results": [
                {
                    "backfillId": result.backfill_id,
                    "dagId": result.dag_id,
                    "outcome": result.outcome.value,
                    "reason": result.reason,
                    "completedAt": iso(result.backfill.completed_at) if result.backfill else None,
                }
                for result in report.results
            ],
            "userErrors": [
                {"field": error.field, "message": error.message, "code": error.code}
                for error in report.user_errors
            ],
        },
        option=orjson.OPT_INDENT_2,
    ).decode()


async def _finalize(args: argparse.Namespace, settings):
    from datetime import UTC, datetime

    from backfill_gateway.db.airflow_schema import detect_airflow_schema
    from backfill_gateway.db.engine import create_engine
    from backfill_gateway.resolvers.auth import ADMIN
    from backfill_gateway.resolvers.context import Caller, RequestContext
    from backfill_gateway.resolvers.finalize import FinalizeRequest, finalize_orphaned_backfills

    engine = create_engine(settings.resolved_database_url, pool_size=1, max_overflow=0)
    try:
        airflow = await detect_airflow_schema(engine, settings.airflow_version)
    except BaseException:
        await engine.dispose()
        await _sqlite_threads_stopped()
        raise
    # Whoever can reach the database with these credentials acts as an admin.
    context = RequestContext(
        settings=settings, engine=engine, now=datetime.now(UTC), airflow=airflow,
        caller=Caller(args.owner, ADMIN),
    )
    request = FinalizeRequest(
        backfill_ids=args.backfill_ids,
        dag_ids=args.dag_ids,
        grace_period_seconds=args.grace,
        dry_run=args.dry_run,
        limit=args.limit,
    )
    try:
        return await finalize_orphaned_backfills(context, request)
    finally:
        await context.close()
        await engine.dispose()
        await _sqlite_threads_stopped()


async def _sqlite_threads_stopped(timeout: float = 2.0) -> None:
    """Let aiosqlite's worker threads finish before the event loop closes.

    After a failed connect, aiosqlite asks its thread to stop without awaiting it;
    a thread that answers after the loop closed prints a traceback on stderr.
    """
    import threading

    for thread in threading.enumerate():
        if "_connection_worker_thread" in thread.name:
            await asyncio.to_thread(thread.join, timeout)


def _finalize_orphans(args: argparse.Namespace) -> int:
    from collections import Counter

    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from backfill_gateway.db.airflow_schema import AirflowSchemaError
    from backfill_gateway.db.errors import DatabaseUnavailable
    from backfill_gateway.resolvers.errors import GatewayError
    from backfill_gateway.settings import Settings
    from backfill_gateway.web.execution.errors import error_code_of

    settings = Settings()
    if settings.uses_embedded_demo and not settings.demo_database_path.exists():
        print(
            "finalize-orphans: no database configured: set DATABASE_URL "
            "(or AIRFLOW__DATABASE__SQL_ALCHEMY_CONN)",
            file=sys.stderr,
        )
        return 1
    database = make_url(settings.resolved_database_url).render_as_string(hide_password=True)
    try:
        report = asyncio.run(_finalize(args, settings))
    except (GatewayError, DatabaseUnavailable) as error:
        print(f"finalize-orphans: {error_code_of(error).code}: {error.message}", file=sys.stderr)
        return 1
    except AirflowSchemaError as error:
        print(f"finalize-orphans: {error}", file=sys.stderr)
        return 1
    except (SQLAlchemyError, OSError) as error:
        print(f"finalize-orphans: {database}: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    if args.json:
        print(_report_json(report))
    for error in report.user_errors:
        field = error.field[-1] if error.field else None
        print(f"finalize-orphans: {_OPTION_OF_FIELD.get(field, field)}: {error.message}",
              file=sys.stderr)
    if report.user_errors:
        return 2
    if not args.json:
        for result in report.results:
            print(f"{result.backfill_id}\t{result.outcome.value}\t{result.dag_id or '-'}\t"
                  f"{result.reason}")
    counts = Counter(result.outcome.value for result in report.results)
    print(
        f"finalize-orphans on {database} ({'dry run' if report.dry_run else 'applied'}, "
        f"owner {args.owner}, grace {report.grace_period_seconds} s, cutoff "
        f"{report.cutoff.isoformat()}): {len(report.results)} considered"
        + "".join(f", {outcome} {count}" for outcome, count in sorted(counts.items())),
        file=sys.stderr,
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="backfill-gateway", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("demo", help="(re)create the embedded SQLite demo database")
    demo.add_argument("--path", type=Path, default=None, help="where to write the file")
    demo.set_defaults(run=_demo)

    serve = commands.add_parser(
        "serve",
        help="serve the gateway (configured from the environment, like `uvicorn app:app`)",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.add_argument(
        "--workers", type=int, default=1, help="worker processes (default 1; about one per core)"
    )
    serve.add_argument(
        "--graceful-shutdown", type=int, default=30, metavar="SECONDS",
        help="seconds to finish requests in flight on shutdown (default 30)",
    )
    serve.set_defaults(run=_serve)

    sdl = commands.add_parser("schema", help="print the GraphQL schema (SDL)")
    sdl.set_defaults(run=_schema)

    finalize = commands.add_parser(
        "finalize-orphans",
        help="finalize orphaned backfills (dry run unless --apply)",
        description="Finalize backfills whose creation crashed between Airflow's two "
        "transactions: active, without slots, owning no queued or running run, older than "
        "the grace period and not locked by another transaction. Prints one line per "
        "considered backfill: id, outcome, dag_id, reason (tab-separated). Exits 2 on "
        "invalid input, 1 when the database is busy or unreachable. The database is the "
        "gateway's (DATABASE_URL, then AIRFLOW__DATABASE__SQL_ALCHEMY_CONN).",
    )
    mode = finalize.add_mutually_exclusive_group()
    mode.add_argument(
        "--dry-run", dest="dry_run", action="store_true", default=True,
        help="report what would be finalized, write nothing (the default)",
    )
    mode.add_argument(
        "--apply", dest="dry_run", action="store_false", help="finalize the orphans"
    )
    finalize.add_argument(
        "--grace", type=int, default=None, metavar="SECONDS",
        help="grace period (default: GATEWAY_ORPHAN_GRACE_PERIOD_SECONDS, 600; at least 120)",
    )
    finalize.add_argument(
        "--dag-id", dest="dag_ids", action="append", default=None, metavar="ID",
        help="only backfills of this DAG (repeatable)",
    )
    finalize.add_argument(
        "--backfill-id", dest="backfill_ids", action="append", type=int, default=None,
        metavar="N", help="consider this backfill (repeatable; not with --dag-id)",
    )
    finalize.add_argument(
        "--limit", type=int, default=100, help="consider at most N backfills (1-1000, default 100)"
    )
    finalize.add_argument(
        "--owner", default=_default_owner(),
        help="who to name in Airflow's audit log (default cli:<os user>)",
    )
    finalize.add_argument("--json", action="store_true", help="print the report as JSON")
    finalize.set_defaults(run=_finalize_orphans)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    raise SystemExit(main())
