#!/usr/bin/env python3
"""p50 latency at c=1 of every standard query and each BackfillFilter on `large` data.

    python bench/large.py --gateway before=/path/to/baseline/checkout --gateway after=. \\
        [--dsn postgresql://postgres@127.0.0.1:5432/bench_large] [--database-url URL] [--runs 20]

Each `--gateway NAME=ROOT` is a checkout with its own `.venv` (`ROOT/.venv/bin/python`);
each is started as the benchmark starts ours (`uvicorn app:app`, one worker) on its own
port, all at once, against the same database. Requests go one at a time (c=1), in
rounds: every query in turn and, for each query, every gateway in turn (the order
rotates), so that the machine's load hits all of them alike. A gateway's answer must be
free of errors and, for the standard queries, pass the manifest's checks; all gateways'
answers to a query must be equal. Prints one markdown table (p50 per gateway in ms, and
the ratio of each gateway to the first) and writes it with every sample as JSON.

`--dsn` is the PostgreSQL database that `bench/gen_data.py --size large` loaded (the
facts behind the standard queries' variables come from it); `--database-url` is what the
gateways read (default: the same database; a MariaDB or SQLite copy of it also works).
Standard library + asyncpg (for the facts), like the rest of bench/.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))

from bench import workloads  # noqa: E402

STANDARD = ("q1", "q2", "q3", "q3first", "q4", "q5")
# The smallest query: what a request costs on this machine right now, whatever the data.
FLOOR_DOCUMENT = "{ backfills(first: 1) { nodes { backfillId } } }"

# One listing document for the filters: a page of 50 with the filter's totalCount and each
# backfill's status (computed from the same probes as the status filters), and no slots:
# Q2 and Q5 measure the slot pages; here the filter's own statements are what costs.
FILTER_DOCUMENT = """
query Filtered($filter: BackfillFilter!) {
  backfills(first: 50, filter: $filter) {
    totalCount
    nodes { backfillId dagId status isPaused createdAt completedAt }
  }
}
"""

FILTERS = {
    "statuses: [ORPHANED]": {"statuses": ["ORPHANED"]},
    "statuses: [RUNNING]": {"statuses": ["RUNNING"]},
    "statuses: [PAUSED]": {"statuses": ["PAUSED"]},
    "statuses: [INITIALIZING]": {"statuses": ["INITIALIZING"]},
    "statuses: [COMPLETED]": {"statuses": ["COMPLETED"]},
    "statuses: all but COMPLETED": {"statuses": ["RUNNING", "PAUSED", "ORPHANED", "INITIALIZING"]},
    "dagIds: [bench_dag_0007]": {"dagIds": ["bench_dag_0007"]},
    "dagIds: 3 DAGs": {"dagIds": ["bench_dag_0001", "bench_dag_0100", "bench_dag_0200"]},
    "created range (30 days)": {"createdAfter": "2026-03-01T00:00:00Z", "createdBefore": "2026-03-31T00:00:00Z"},
    "dagIds + statuses: [RUNNING]": {"dagIds": ["bench_dag_0007"], "statuses": ["RUNNING"]},
}

UVICORN_FLAGS = ["--workers", "1", "--loop", "uvloop", "--http", "httptools", "--no-access-log",
                 "--log-level", "warning"]


def start(name: str, root: Path, port: int, database_url: str, log_dir: Path) -> subprocess.Popen:
    python = root / ".venv" / "bin" / "python"
    env = {**os.environ, "DATABASE_URL": database_url}
    log = open(log_dir / f"large.{name}.log", "wb")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        [str(python), "-m", "uvicorn", "app:app", "--port", str(port), *UVICORN_FLAGS],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )


def bodies(url: str, fx: dict, wanted: list[str]) -> dict[str, dict]:
    """{query label: {"body": ..., "checks": [...]}}: the standard queries, then the filters."""
    manifest = workloads.load_manifest(workloads.OUR_QUERIES)
    plan = {}
    for name in wanted:
        if name in manifest:
            plan[manifest[name]["title"]] = workloads.resolve(url, workloads.OUR_QUERIES, name, manifest[name], fx)
        elif name == "floor":
            plan["floor: backfills(first: 1)"] = {"body": {"query": FLOOR_DOCUMENT}, "checks": []}
        elif name == "filters":
            for label, spec in FILTERS.items():
                plan[f"filter {label}"] = {"body": {"query": FILTER_DOCUMENT, "variables": {"filter": spec}},
                                           "checks": []}
    return plan


def timed_post(url: str, payload: bytes) -> tuple[float, int, object, bytes]:
    started = time.perf_counter()
    status, parsed, raw = workloads.post(url, payload)
    return (time.perf_counter() - started) * 1000, status, parsed, raw


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gateway", action="append", default=[], metavar="NAME=ROOT",
                    help="a checkout to measure (repeatable; the first is the baseline of the ratios)")
    ap.add_argument("--dsn", default="postgresql://postgres@127.0.0.1:5432/bench_large")
    ap.add_argument("--database-url", default=None, help="what the gateways read (default: --dsn)")
    ap.add_argument("--runs", type=int, default=20, help="measured requests per query and gateway")
    ap.add_argument("--warmup", type=int, default=3, help="discarded requests per query and gateway")
    ap.add_argument("--queries", default=",".join(["floor", *STANDARD, "filters"]))
    ap.add_argument("--port", type=int, default=8030, help="first port; one per gateway")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "large" / "large.json")
    a = ap.parse_args(argv)

    gateways = [(g.split("=", 1)[0], Path(g.split("=", 1)[1]).resolve()) for g in a.gateway or ["this=."]]
    a.out.parent.mkdir(parents=True, exist_ok=True)
    fx = asyncio.run(workloads.facts(a.dsn))
    procs, urls = {}, {}
    try:
        for index, (name, root) in enumerate(gateways):
            urls[name] = f"http://127.0.0.1:{a.port + index}/graphql"
            procs[name] = start(name, root, a.port + index, a.database_url or a.dsn, a.out.parent)
        for name, url in urls.items():
            workloads.wait_ready(url, proc=procs[name])
        first = gateways[0][0]
        plan = bodies(urls[first], fx, a.queries.split(","))
        payloads = {label: json.dumps(item["body"]).encode() for label, item in plan.items()}
        for label, item in plan.items():  # answers: checked, and equal across gateways
            answers = {}
            for name, url in urls.items():
                _, status, parsed, raw = timed_post(url, payloads[label])
                failures = workloads.run_checks(parsed, item["checks"]) if parsed else ["no JSON"]
                if status != 200 or parsed.get("errors") or failures:
                    raise SystemExit(f"{name} {label}: HTTP {status} {failures} {raw[:300]!r}")
                answers[name] = parsed
            if len({json.dumps(v, sort_keys=True) for v in answers.values()}) != 1:
                raise SystemExit(f"{label}: the gateways' answers differ")
        samples = {label: {name: [] for name in urls} for label in plan}
        names = list(urls)
        for round_no in range(a.warmup + a.runs):
            for q_index, label in enumerate(plan):
                shift = (round_no + q_index) % len(names)
                for name in names[shift:] + names[:shift]:
                    ms, status, _, raw = timed_post(urls[name], payloads[label])
                    if status != 200:
                        raise SystemExit(f"{name} {label}: HTTP {status} {raw[:300]!r}")
                    if round_no >= a.warmup:
                        samples[label][name].append(ms)
    finally:
        for proc in procs.values():
            proc.terminate()
        for proc in procs.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()

    p50 = {label: {name: statistics.median(v) for name, v in per.items()} for label, per in samples.items()}
    header = "| query / filter | " + " | ".join(f"{n} p50 ms" for n in names)
    header += "".join(f" | {n} / {names[0]}" for n in names[1:]) + " |"
    print(header)
    print("|---|" + "---:|" * (2 * len(names) - 1))
    for label, per in p50.items():
        cells = [f"{per[n]:.1f}" for n in names] + [f"{per[n] / per[names[0]]:.2f}×" for n in names[1:]]
        print(f"| {label} | " + " | ".join(cells) + " |")
    a.out.write_text(json.dumps({"runs": a.runs, "warmup": a.warmup, "database_url": a.database_url or a.dsn,
                                 "gateways": {n: str(r) for n, r in gateways}, "p50_ms": p50,
                                 "samples_ms": samples}, indent=1))
    print(f"written: {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
