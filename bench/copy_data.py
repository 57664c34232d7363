#!/usr/bin/env python3
"""Copy a dataset that gen_data.py loaded into PostgreSQL to SQLite or MariaDB/MySQL.

    python bench/copy_data.py --to sqlite:////tmp/bench_large.sqlite
    python bench/copy_data.py --to mysql://root@127.0.0.1:3306/bench_large \\
        [--dsn postgresql://postgres@127.0.0.1:5432/bench_large]

The target gets exactly the tables of `db.tables.metadata` (`create_all`: Airflow 3.3's
DDL compiled for that database, no extra index), dropped first, then every row in key
order through SQLAlchemy Core (the columns' own types convert, as the gateway reads
them). For measuring the gateway on the other databases it supports (bench/large.py
--database-url); the dataset's identity stays the PostgreSQL one.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import select, text  # noqa: E402
from sqlalchemy.ext.asyncio import create_async_engine  # noqa: E402

from backfill_gateway.db.tables import metadata  # noqa: E402
from backfill_gateway.db.urls import to_async_url  # noqa: E402

CHUNK = 5000


async def copy(dsn: str, target: str, log=print) -> dict[str, int]:
    source = create_async_engine(to_async_url(dsn))
    sink_url = to_async_url(target)
    if sink_url.startswith("mysql"):
        server, name = sink_url.rsplit("/", 1)
        admin = create_async_engine(server + "/")
        async with admin.begin() as conn:
            await conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
            await conn.execute(text(f"CREATE DATABASE {name} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"))
        await admin.dispose()
    sink = create_async_engine(sink_url)
    counts = {}
    try:
        async with sink.begin() as out:
            await out.run_sync(metadata.drop_all)
            await out.run_sync(metadata.create_all)
        for table in metadata.sorted_tables:
            if table.name == "alembic_version":
                continue  # create_all stamps db.tables' revision (an after_create event)
            started, copied = time.perf_counter(), 0
            order = list(table.primary_key.columns) or list(table.c)
            async with source.connect() as src:
                result = await src.stream(select(table).order_by(*order))
                async for chunk in result.mappings().partitions(CHUNK):
                    async with sink.begin() as out:
                        await out.execute(table.insert(), [dict(row) for row in chunk])
                    copied += len(chunk)
            counts[table.name] = copied
            log(f"{table.name}: {copied} rows in {time.perf_counter() - started:.1f} s")
        if sink.dialect.name == "sqlite":
            async with sink.connect() as out:
                await out.execute(text("ANALYZE"))
        else:
            async with sink.connect() as out:
                await out.execute(text("ANALYZE TABLE " + ", ".join(t.name for t in metadata.sorted_tables)))
    finally:
        await source.dispose()
        await sink.dispose()
    return counts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dsn", default="postgresql://postgres@127.0.0.1:5432/bench_large")
    ap.add_argument("--to", required=True, help="sqlite:///PATH or mysql://USER@HOST:PORT/NAME")
    a = ap.parse_args(argv)
    asyncio.run(copy(a.dsn, a.to))
    return 0


if __name__ == "__main__":
    sys.exit(main())
