"""`backfill-gateway`: the demo database, the SDL, and operations for cron jobs."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path


def _demo(args: argparse.Namespace) -> int:
    from db.demo import create_demo_database
    from settings import Settings

    path = args.path or Settings().demo_database_path
    dataset = asyncio.run(create_demo_database(path))
    print(
        f"demo database {path}: {len(dataset.backfills)} backfills, "
        f"{len(dataset.backfill_dag_runs)} slots, {len(dataset.dag_runs)} dag runs"
    )
    return 0


def _schema(args: argparse.Namespace) -> int:
    from schema import schema

    sys.stdout.write(schema.as_str() + "\n")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="backfill-gateway", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("demo", help="(re)create the embedded SQLite demo database")
    demo.add_argument("--path", type=Path, default=None, help="where to write the file")
    demo.set_defaults(run=_demo)

    sdl = commands.add_parser("schema", help="print the GraphQL schema (SDL)")
    sdl.set_defaults(run=_schema)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    raise SystemExit(main())
