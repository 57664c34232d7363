#!/usr/bin/env python3
"""The gateway's CPU per request in-process: the ASGI app driven directly, no HTTP server.

    python bench/fixed_cost.py --dsn postgresql://postgres@127.0.0.1:5432/bench [--requests 3000]
    python bench/fixed_cost.py ... --profile 25      # + cProfile's top functions (own and cumulative)

A development tool for the fixed per-request path (issue 14): it builds the app as
`uvicorn app:app` does, runs its lifespan, then sends the same POST (default: Q0,
`{ backfills(first: 1) { nodes { backfillId } } }`) through the ASGI callable and
reports process CPU time per request (CPU time, not wall-clock: other work on the
machine changes it far less). uvicorn's and httptools' share is not in it: bench/run.py
measures the whole worker.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# Run as a script, bench/ would come first on the path and bench/profile.py would shadow
# the standard library's profile module (which cProfile imports).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import cProfile  # noqa: E402
import io  # noqa: E402
import os  # noqa: E402
import pstats  # noqa: E402
import time  # noqa: E402

Q0 = '{"query": "{ backfills(first: 1) { nodes { backfillId } } }"}'


def _scope(body: bytes) -> dict:
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": "/graphql", "raw_path": b"/graphql", "query_string": b"",
        "root_path": "", "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8010),
        "headers": [(b"host", b"127.0.0.1:8010"), (b"content-type", b"application/json"),
                    (b"accept", b"application/json"), (b"content-length", str(len(body)).encode())],
    }  # fmt: skip


async def one_request(app, body: bytes) -> bytes:
    sent: list[dict] = []
    delivered = False

    async def receive() -> dict:
        nonlocal delivered
        if delivered:
            await asyncio.sleep(3600)
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    await app(_scope(body), receive, send)
    status = sent[0]["status"]
    payload = b"".join(m.get("body", b"") for m in sent[1:])
    if status != 200 or b'"errors"' in payload:
        raise RuntimeError(f"HTTP {status}: {payload[:300]!r}")
    return payload


async def drive(app, body: bytes, n: int) -> float:
    for _ in range(50):  # warm: caches, prepared statements, pool
        await one_request(app, body)
    t0 = time.process_time()
    for _ in range(n):
        await one_request(app, body)
    return (time.process_time() - t0) / n


async def main_async(a) -> None:
    os.environ["DATABASE_URL"] = a.dsn
    sys.path.insert(0, str(ROOT))
    import logging

    from backfill_gateway.app import create_app
    from backfill_gateway.settings import Settings
    from backfill_gateway.web.json_logging import configure_logging

    settings = Settings()
    configure_logging(settings.log_format, settings.log_level)
    # The access log goes where uvicorn's stdout would go (a file in bench/run.py).
    handler = logging.getLogger().handlers[0]
    handler.setStream(open(os.devnull, "w"))  # noqa: SIM115
    app = create_app(settings)
    body = (Path(a.body).read_text() if a.body else Q0).encode()
    lifespan = app.router.lifespan_context(app)
    await lifespan.__aenter__()
    try:
        per_request = await drive(app, body, a.requests)
        print(f"in-process CPU per request: {per_request * 1e3:.3f} ms ({a.requests} requests)")
        if a.profile:
            profiler = cProfile.Profile(time.process_time)  # CPU, not waiting
            profiler.enable()
            await drive(app, body, a.requests)
            profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(a.profile)
            print(out.getvalue())
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(a.profile)
            print(out.getvalue())
    finally:
        await lifespan.__aexit__(None, None, None)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dsn", default=os.environ.get("BENCH_DSN", "postgresql://postgres@127.0.0.1:5432/bench"))
    ap.add_argument("--requests", type=int, default=3000)
    ap.add_argument("--body", help="a JSON request body file (default: Q0)")
    ap.add_argument("--profile", type=int, default=0, help="print cProfile's top N functions")
    a = ap.parse_args(argv)
    asyncio.run(main_async(a))
    return 0


if __name__ == "__main__":
    sys.exit(main())
