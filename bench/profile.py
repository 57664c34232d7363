"""Where our gateway's CPU goes under load: py-spy samples, sorted into buckets.

`py-spy record --native` samples the uvicorn process (Python and C frames:
asyncpg's protocol, SQLAlchemy's Cython rows, orjson, the cyclic GC, uvloop)
while wrk drives a query. Idle samples (waiting in epoll) are left out by
py-spy, so the buckets split the CPU time the process used.

Each sample goes to ONE bucket: the first frame, from the innermost outwards,
that belongs to a known component (CPython internals, stdlib modules and
generated `<string>` code are transparent: they count for their caller). A
sample with the cyclic garbage collector anywhere on its stack counts as GC.

    python -m bench.profile bench/results/small/profile_q2.collapsed.txt.gz   # re-classify a saved profile
"""

from __future__ import annotations

import gzip
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_PROJECT = str(ROOT) + "/"

# (bucket, test on the frame's file path and function); first match wins.
BUCKETS = [
    ("JSON encoding (orjson)", lambda p, f: "orjson" in p or (p.endswith("web/graphql_response.py") and f == "json_response")),
    ("rows -> records (Result/Row, TypeDecorators, records.py, loaders/)", lambda p, f: (
        "recordobj.c" in p and f in ("record_subscript", "record_item")) or any(s in p for s in (
        "sqlalchemy/engine/result.py", "sqlalchemy/engine/row.py", "sqlalchemy/engine/_result_cy",
        "sqlalchemy/engine/_row_cy", "sqlalchemy/engine/cursor.py", "sqlalchemy/engine/_processors",
        "sqlalchemy/sql/type_api.py", _PROJECT + "db/types.py", _PROJECT + "resolvers/records.py",
        _PROJECT + "resolvers/loaders/"))),
    ("SQL: build + compile (SQLAlchemy Core, db/ builders)", lambda p, f: "sqlalchemy/sql/" in p or "sqlalchemy generated" in f or any(
        p.startswith(_PROJECT + "db/" + m) for m in ("slots.py", "backfills.py", "keyset.py", "dag_runs.py", "dags.py"))),
    ("SQL: asyncpg driver (protocol, decoding)", lambda p, f: "asyncpg" in p),
    ("SQL: execute path (engine, pool, greenlet, db/session.py)", lambda p, f: "sqlalchemy" in p or "greenlet" in p or p == _PROJECT + "db/session.py"),
    ("GraphQL: graphql-core parse + validate", lambda p, f: "graphql/language/" in p or "graphql/validation/" in p),
    ("GraphQL: graphql-core execute", lambda p, f: "/graphql/" in p),
    ("GraphQL: Strawberry (resolver wrapping, scalars, DataLoader)", lambda p, f: "/strawberry/" in p),
    ("gateway schema + resolvers (schema/, resolvers/)", lambda p, f: p.startswith(_PROJECT + "schema/") or p.startswith(_PROJECT + "resolvers/")),
    ("GraphQL: gateway execution (web/execution/: fast path, limits, error codes)", lambda p, f: p.startswith(_PROJECT + "web/execution/")),
    ("HTTP: access log + metrics (middleware, JSON log line, prometheus_client)", lambda p, f: "/prometheus_client/" in p or any(
        p == _PROJECT + "web/" + m for m in ("middleware.py", "metrics.py", "json_logging.py", "request_record.py"))),
    ("HTTP: uvicorn, httptools, Starlette, endpoint", lambda p, f: any(s in p for s in (
        "/uvicorn/", "/starlette/", "httptools", "llhttp", "/h11/", "/anyio/")) or p.startswith(_PROJECT + "web/")),
]
GC = "GC (CPython cyclic collector)"
LOOP = "event loop + sockets (asyncio, uvloop, libuv, syscalls)"
OTHER = "other"
ORDER = [GC] + [b for b, _ in BUCKETS] + [LOOP, OTHER]

_FRAME = re.compile(r"^(?P<func>.*) \((?P<path>.*?)(?::(?P<line>\d+))?\)$")
_GC_FUNCS = ("gc_collect_main", "gc_collect_with_callback", "gc_collect_generations", "_PyObject_GC_Alloc")


def _split(frame: str) -> tuple[str, str]:
    m = _FRAME.match(frame)
    return (m.group("func"), m.group("path")) if m else (frame, "")


def _is_loop(path: str) -> bool:
    return any(s in path for s in ("/asyncio/", "uvloop", "libuv", "libc.so", "_asynciomodule"))


IDLE = "idle (waiting in epoll: not CPU)"
_IDLE_FUNCS = ("epoll_wait", "epoll_pwait", "__GI_epoll_pwait", "__GI_epoll_wait")


def classify(stack: list[str]) -> str:
    """The bucket of one sample (stack listed outermost first)."""
    frames = [_split(f) for f in stack]
    if frames and frames[-1][0].startswith(_IDLE_FUNCS):
        # py-spy's idle detection misses a thread blocked in epoll when the machine is
        # overloaded: such a sample is waiting, not CPU, and is left out of the shares.
        return IDLE
    if any(func.startswith(_GC_FUNCS[:3]) for func, _ in frames):
        return GC
    loop = False
    for func, path in reversed(frames):
        for bucket, test in BUCKETS:
            if test(path, func):
                return bucket
        loop = loop or _is_loop(path)
    return LOOP if loop or any(_is_loop(p) or "runpy" in p for _, p in frames) else OTHER


def _short(path: str) -> str:
    path = re.sub(r"^.*/site-packages/", "", path)
    path = re.sub(r"^.*/lib/python3\.\d+/", "", path)
    return path.replace(_PROJECT, "")


def analyse(collapsed: Path, top: int = 20) -> dict:
    """Bucket shares and the top self-time frames of a py-spy raw (collapsed) file."""
    buckets: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    total = 0
    text = gzip.decompress(collapsed.read_bytes()).decode() if collapsed.suffix == ".gz" else collapsed.read_text()
    idle = 0
    for line in text.splitlines():
        if not line.strip():
            continue
        stack_text, _, count = line.rpartition(" ")
        n = int(count)
        stack = stack_text.split(";")
        # py-spy prefixes a "process"/"thread" frame in some modes; harmless to classification.
        bucket = classify(stack)
        if bucket == IDLE:
            idle += n
            continue
        buckets[bucket] += n
        func, path = _split(stack[-1])
        leaves[f"{func} ({_short(path)})"] += n
        total += n
    pct = lambda n: round(100.0 * n / total, 1) if total else 0.0  # noqa: E731
    return {
        "samples": total,
        "idle_samples_left_out": idle,
        "buckets": [{"bucket": b, "samples": buckets[b], "pct": pct(buckets[b])} for b in ORDER if buckets[b]],
        "top_self": [{"frame": k, "samples": v, "pct": pct(v)} for k, v in leaves.most_common(top)],
    }


def record(py_spy: str, pid: int, out: Path, *, duration: int, rate: int = 200, native: bool = True) -> subprocess.CompletedProcess:
    argv = [py_spy, "record", "--pid", str(pid), "--rate", str(rate), "--duration", str(duration),
            "--format", "raw", "--full-filenames", "-o", str(out)]
    if native:
        argv.append("--native")
    return subprocess.run(argv, capture_output=True, text=True, timeout=duration + 120)


def coarse(analysis: dict) -> dict[str, float]:
    """The five areas the optimization work is planned by (+ GC, loop, other)."""
    groups = {
        "SQL + driver": ("SQL:",),
        "rows -> records": ("rows -> records",),
        "GraphQL execution (graphql-core + Strawberry + our resolvers)": ("GraphQL:", "gateway schema"),
        "JSON encoding": ("JSON",),
        "HTTP (uvicorn, Starlette, endpoint)": ("HTTP:",),
        "GC": ("GC",),
        "event loop + sockets": ("event loop",),
        "other": ("other",),
    }
    out = {}
    for name, prefixes in groups.items():
        out[name] = round(sum(b["pct"] for b in analysis["buckets"] if b["bucket"].startswith(prefixes)), 1)
    return out


if __name__ == "__main__":
    result = analyse(Path(sys.argv[1]))
    for b in result["buckets"]:
        print(f"{b['pct']:5.1f}%  {b['bucket']}")
    print()
    for name, value in coarse(result).items():
        print(f"{value:5.1f}%  {name}")
    print()
    for t in result["top_self"]:
        print(f"{t['pct']:5.1f}%  {t['frame']}")
