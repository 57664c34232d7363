"""Subscriptions: what they cost, measured (issue 13's closing note).

    .venv/bin/python bench/live.py [--database-url postgresql://postgres@127.0.0.1:5432/bench_live]

Over a fresh copy of the demo data (a SQLite file, or a PostgreSQL database it recreates):

1. SQL statements per poll interval with 1, 100 and 1,000 subscribers of the same
   subscription, in process (the worker's hub driven interval by interval, statements counted
   by db/statements.py's recorder): when nothing changed, and when one backfill changed.
2. Event latency: a real uvicorn server at GATEWAY_LIVE_POLL_SECONDS 1 and 2, one WebSocket
   subscriber; a dag_run row is updated as Airflow does (state, updated_at) and the time to
   the event is measured, RUNS times each; the median (and min/max) are printed.
3. Memory: the server's RSS (VmRSS) before and after opening 1,000 subscriptions (50
   WebSocket connections x 20, the same subscription), and after closing them.
4. CPU per change event: the server's CPU time (every thread's, /proc/<pid>/task/*/schedstat,
   in nanoseconds) while one backfill changes EVENTS times, each change waited for until
   every subscriber has its event, less what the same wall time costs with nothing changing
   (the poller alone), per change: with 1 subscriber and with 1,000 (50 WebSocket
   connections x 20, the same subscription), at GATEWAY_LIVE_POLL_SECONDS 1. The
   subscribers are this process's clients, not the server's CPU.

Prints one JSON object; bench/README.md ("Subscriptions") has the numbers of a run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import AsyncExitStack, suppress
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import select, text, update

PROJECT_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_DIR))

from backfill_gateway.app import create_app  # noqa: E402
from backfill_gateway.db.engine import create_engine as create_async_engine  # noqa: E402
from backfill_gateway.db.tables import backfill_dag_run, dag_run  # noqa: E402
from backfill_gateway.db.urls import to_async_url  # noqa: E402
from backfill_gateway.resolvers.context import ANONYMOUS  # noqa: E402
from backfill_gateway.settings import Settings  # noqa: E402
from tests.support.live_client import TransportWSClient  # noqa: E402

QUERY = """subscription Live($ids: [Int!]) { backfillUpdates(filter: {backfillIds: $ids}) {
  backfillId status progress { runningCount successCount finishedCount }
  dagRuns(first: 5) { nodes { dagRun { state endDate } } } } }"""
VARIABLES = {"ids": [20]}
BACKFILL = 20  # active, with runs in flight (demo data)
SUBSCRIBERS = (1, 100, 1000)
RUNS = 15
EVENTS = 20  # changes measured per subscriber count (CPU per change event)


def create_engine(url: str, **options):
    return create_async_engine(to_async_url(url), **options)


async def fresh_database(url: str | None) -> str:
    """The demo data in a new database; its URL."""
    from backfill_gateway.db.tables import metadata
    from backfill_gateway.demo import build_demo_dataset, load_demo_dataset

    if url is None:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='bench-live-')}/airflow.sqlite"
    elif url.startswith("postgresql"):
        from sqlalchemy.engine import make_url

        target = make_url(url)
        admin = create_engine(target.set(database="postgres").render_as_string(False), autocommit=True)
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}"'))
            await connection.execute(text(f'CREATE DATABASE "{target.database}"'))
        await admin.dispose()
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    await load_demo_dataset(engine, build_demo_dataset(datetime.now(UTC)))
    await engine.dispose()
    return url


async def touch_a_run(engine, state: str) -> None:
    """A run of the backfill changes state, as Airflow records it (state, updated_at)."""
    now = datetime.now(UTC)
    async with engine.begin() as connection:
        run_id = (await connection.execute(
            select(dag_run.c.id).join(backfill_dag_run, backfill_dag_run.c.dag_run_id == dag_run.c.id)
            .where(backfill_dag_run.c.backfill_id == BACKFILL).order_by(dag_run.c.id).limit(1)
        )).scalar_one()  # fmt: skip
        await connection.execute(
            update(dag_run).where(dag_run.c.id == run_id).values(state=state, updated_at=now)
        )


async def statements_per_interval(url: str) -> dict:
    app = create_app(Settings(database_url=url, tokens="", live_poll_seconds=3600,
                              max_subscriptions_per_worker=10_000))  # fmt: skip
    hub = app.state.live
    writer = create_engine(url)
    found = {}
    try:
        for count in SUBSCRIBERS:
            streams = [await hub.subscribe(QUERY, VARIABLES, "Live", ANONYMOUS) for _ in range(count)]
            for stream in streams:
                await anext(stream)
            while hub.polls == 0:
                await asyncio.sleep(0.01)
            unchanged = await hub.poll_once()
            await touch_a_run(writer, "running" if count % 2 else "queued")
            changed = await hub.poll_once()
            for stream in streams:
                await anext(stream)
                await stream.aclose()
            found[count] = {"nothing_changed": unchanged, "one_backfill_changed": changed}
    finally:
        await hub.close()
        await app.state.engine.dispose()
        await writer.dispose()
    return found


class Server:
    def __init__(self, url: str, poll_seconds: float) -> None:
        self.url, self.poll_seconds = url, poll_seconds

    async def __aenter__(self):
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_")}
        env.update(DATABASE_URL=self.url, GATEWAY_LIVE_POLL_SECONDS=str(self.poll_seconds),
                   GATEWAY_LOG_LEVEL="WARNING")  # fmt: skip
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "app:app", "--port", str(port), "--no-access-log",
             "--log-level", "warning"],
            cwd=PROJECT_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self.base_url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        async with httpx.AsyncClient() as http:
            while True:
                try:
                    if (await http.get(f"{self.base_url}/readyz")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("server not ready")
                await asyncio.sleep(0.1)
        return self

    def cpu_seconds(self) -> float:
        """CPU time of every thread of the server (aiosqlite runs one per connection)."""
        total = 0
        for task in Path(f"/proc/{self.process.pid}/task").iterdir():
            with suppress(FileNotFoundError):
                total += int((task / "schedstat").read_text().split()[0])
        return total / 1e9

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS")

    async def __aexit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(timeout=15)


async def latency(url: str, poll_seconds: float) -> dict:
    engine = create_engine(url)
    samples = []
    try:
        async with Server(url, poll_seconds) as server:
            async with TransportWSClient.connect(server.base_url) as client:
                await client.subscribe(QUERY, VARIABLES)
                await client.receive()
                phases = random.Random(13)
                for run in range(RUNS):
                    # Changes land anywhere in the poll interval (seeded, so runs compare).
                    await asyncio.sleep(poll_seconds * phases.random())
                    started = time.monotonic()
                    await touch_a_run(engine, "running" if run % 2 else "queued")
                    message = await client.receive(timeout=poll_seconds * 5 + 5)
                    assert message["type"] == "next", message
                    samples.append(time.monotonic() - started)
    finally:
        await engine.dispose()
    return {
        "runs": len(samples), "median_s": round(statistics.median(samples), 3),
        "min_s": round(min(samples), 3), "max_s": round(max(samples), 3),
    }  # fmt: skip


async def memory(url: str, count: int = 1000, per_connection: int = 20) -> dict:
    async with Server(url, 2) as server:
        async with AsyncExitStack() as stack:
            clients = [
                await stack.enter_async_context(TransportWSClient.connect(server.base_url))
                for _ in range(count // per_connection)
            ]  # fmt: skip
            await asyncio.sleep(1)
            before = server.rss_kib()
            for client in clients:
                for _ in range(per_connection):
                    await client.subscribe(QUERY, VARIABLES)
            for client in clients:
                for _ in range(per_connection):
                    await client.receive(timeout=60)
            await asyncio.sleep(1)
            during = server.rss_kib()
        await asyncio.sleep(2)
        after = server.rss_kib()
    return {
        "subscriptions": count, "connections": count // per_connection,
        "rss_before_kib": before, "rss_with_subscriptions_kib": during,
        "rss_delta_kib": during - before, "rss_after_close_kib": after,
    }  # fmt: skip


async def cpu_per_event(url: str, count: int, per_connection: int = 20) -> dict:
    """Server CPU per change of the subscribed backfill with `count` subscribers, the
    poller's own cost (the same wall time with nothing changing) taken out."""
    poll_seconds = 1.0
    engine = create_engine(url)
    try:
        async with Server(url, poll_seconds) as server, AsyncExitStack() as stack:
            connections = max(1, count // per_connection)
            each = count // connections
            clients = [
                await stack.enter_async_context(TransportWSClient.connect(server.base_url))
                for _ in range(connections)
            ]  # fmt: skip
            for client in clients:
                for _ in range(each):
                    await client.subscribe(QUERY, VARIABLES)
            for client in clients:
                await client.events(each, timeout=60)
            await asyncio.sleep(2 * poll_seconds)  # every subscription settled

            cpu, wall = server.cpu_seconds(), time.monotonic()
            await asyncio.sleep(EVENTS * poll_seconds)
            idle_cpu, idle_wall = server.cpu_seconds() - cpu, time.monotonic() - wall

            cpu, wall = server.cpu_seconds(), time.monotonic()
            for event in range(EVENTS):
                await touch_a_run(engine, "running" if event % 2 else "queued")
                for client in clients:
                    for message in await client.events(each, timeout=poll_seconds * 5 + 30):
                        assert message["type"] == "next", message
            busy_cpu, busy_wall = server.cpu_seconds() - cpu, time.monotonic() - wall
    finally:
        await engine.dispose()
    per_event = (busy_cpu - idle_cpu / idle_wall * busy_wall) / EVENTS
    return {
        "subscribers": connections * each, "connections": connections, "events": EVENTS,
        "poll_seconds": poll_seconds,
        "idle_cpu_ms_per_second": round(idle_cpu / idle_wall * 1e3, 3),
        "cpu_ms_per_event": round(per_event * 1e3, 2),
        "cpu_us_per_event_and_subscriber": round(per_event * 1e6 / (connections * each), 1),
    }  # fmt: skip


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--parts", default="statements,latency,memory,cpu",
                        help="comma list of what to measure (default: all four)")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    url = await fresh_database(args.database_url)
    result: dict = {"database": url.split(":", 1)[0]}
    if "statements" in parts:
        result["statements_per_interval"] = await statements_per_interval(url)
    if "latency" in parts:
        result["latency"] = {f"poll_{s}s": await latency(url, s) for s in (1, 2)}
    if "memory" in parts:
        result["memory_per_1000_subscriptions"] = await memory(url)
    if "cpu" in parts:
        result["cpu_per_change_event"] = [await cpu_per_event(url, n) for n in (1, 1000)]
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
