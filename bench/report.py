"""Render bench/results/<size>/results.json as Markdown, into bench/README.md.

    python bench/report.py --size small      # re-render the README section from results.json

The section of a size sits between `<!-- results:<size>:begin -->` and
`<!-- results:<size>:end -->` in bench/README.md; everything else in the
README is hand-written and left alone.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
README = HERE / "README.md"
QUERY_ORDER = ["q0", "q1", "q2", "q3", "q3first", "q4", "q5"]


def _f(value, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and value != value:  # NaN
        return "–"
    return f"{value:,.{digits}f}"


def _ratio(a, b) -> float | None:
    if a is None or b is None or not b:
        return None
    return a / b


def _x(value) -> str:
    return "–" if value is None else f"{value:.2f}×"


def _sql(cell: dict) -> str:
    sql = cell.get("sql")
    if not sql:
        return "–"
    return f"{_f(sql['statements_per_request'], 2).rstrip('0').rstrip('.')} ({_f(sql['selects_per_request'], 2).rstrip('0').rstrip('.')})"


def render(res: dict) -> str:
    meta, servers = res["meta"], res["servers"]
    size = meta["size"]
    rounds = meta.get("rounds", 1)
    out = [f"### Dataset `{size}` — run of {meta['started']} UTC", ""]
    out += [
        f"Machine load: `uptime` before the run: `{meta['uptime_before']}`; after: `{meta.get('uptime_after', '?')}`. "
        f"{meta['nproc']} cores shared with other work; every cell: {meta['warmup_s']} s warm-up (discarded), "
        f"{meta['duration_s']} s measured{f', {rounds} rounds per cell (medians)' if rounds > 1 else ''}, closed loop, wrk with 1 thread; rounds outermost, queries and servers interleaved within each round; one uvicorn worker (uvloop, httptools, "
        f"no access log) / one node process (NODE_ENV=production); the whole-machine server: "
        f"{meta.get('workers', '?')} workers at c={','.join(map(str, meta.get('machine_concurrency', [])))}. "
        f"Repo commit `{meta['git']}`.",
        "",
        f"Dataset: {json.dumps(res['dataset'].get('rows', {}))}, md5 of `backfill_dag_run` "
        f"`{res['dataset'].get('md5', {}).get('backfill_dag_run', '?')}`. Workload ids: Q1 backfill "
        f"{res['facts']['q1_backfill_id']} ({res['facts']['q1_slots']} slots), Q3 backfill {res['facts']['q3_backfill_id']} "
        f"(1000 slots, page 200 = slots 996-1000), Q2/Q5 expect {res['facts']['q2_expected']} slot nodes over "
        f"{res['facts']['q2_backfills']} backfills.",
        "",
        "| server | query | c | req/s | p50 ms | p99 ms | errors | SQL stmts/req (data SELECTs) | server CPU ms/req | PG CPU ms/req | check |",
        "|---|---|---:|---:|---:|---:|---:|---|---:|---:|---|",
    ]
    for _name, srv in servers.items():
        for q in QUERY_ORDER:
            cell = srv.get("queries", {}).get(q)
            if not cell:
                continue
            for c, load in cell.get("load", {}).items():
                check = cell.get("verify", "?")
                check = check if check == "OK" else f"**{check}**"
                out.append(
                    f"| {srv['label']} | {res['titles'].get(q, q)} | {c} | {_f(load['rps'])}{' †' if load.get('extended') else ''} | {_f(load['p50_ms'], 2)} | "
                    f"{_f(load['p99_ms'], 2)} | {load['errors']} | {_sql(cell)} | {_f(load.get('server_cpu_ms_per_req'), 2)} | "
                    f"{_f(load.get('pg_cpu_ms_per_req'), 2)} | {check} |")
        if srv.get("error"):
            out.append(f"| {srv['label']} | – | – | – | – | – | – | – | – | – | **{srv['error'][:120]}** |")
    if any(load.get("extended") for srv in servers.values() for cell in srv.get("queries", {}).values()
           for load in cell.get("load", {}).values()):
        out += ["", f"† fewer than {meta.get('min_requests', 10)} requests completed in {meta['duration_s']} s: "
                f"measured again over {meta['duration_s'] * 4} s."]
    out += ["", "**Ours / peer** (req/s ratio: above 1 means we serve more; p50 ratio: below 1 means we answer faster). "
            "Q5 is compared with the peers' Q2.", ""]
    peers = [n for n in servers if not servers[n].get("ours", n == "gateway") and servers[n].get("queries")]
    if "gateway" in servers and peers:
        out.append("| query | c | ours req/s | " + " | ".join(f"vs {servers[p]['label']}: req/s, p50" for p in peers) + " |")
        out.append("|---|---:|---:|" + "---|" * len(peers))
        for q in QUERY_ORDER:
            for c, r in res.get("ratios", {}).get(q, {}).items():
                ours = servers["gateway"]["queries"][q]["load"][c]["rps"]
                cells = []
                for p in peers:
                    v = r.get(p)
                    cells.append("–" if not v else f"{_x(v['rps'])}, {_x(v['p50'])}")
                out.append(f"| {res['titles'].get(q, q)} | {c} | {_f(ours)} | " + " | ".join(cells) + " |")
    targets = res.get("issue_targets") or []
    if targets:
        out += ["", "**Issue 14's targets** (ratios from this run; req/s: ours / PostGraphile; p50: PostGraphile / "
                "ours, above 1 means we answer faster):", "",
                "| target | measured | target | met |", "|---|---:|---:|---|"]
        for row in targets:
            value = "–" if row["value"] is None else f"{row['value']:.2f}{row['unit']}"
            if "before" in row:
                value += f" (before: {row['before']:.2f}{row['unit']})"
            if "per_round" in row:
                value += " (rounds " + ", ".join(f"{v:.2f}" for v in row["per_round"]) + f"{row['unit']})"
            sign = "≤" if row["unit"] != "×" else "≥"
            met = {True: "yes", False: "**no**", None: "not measured"}[row["met"]]
            out.append(f"| {row['target']} | {value} | {sign} {row['limit']}{row['unit']} | {met} |")
    q3 = res.get("q3_vs_first", {})
    if q3:
        out += ["", "**Q3 (page 200 by cursor) vs Q3-first-page** of the same 1,000-slot backfill (target ≤ 1.2×):", "",
                "| server | c | p50 Q3 / first | server CPU/req Q3 / first | PG CPU/req Q3 / first | req/s first / Q3 |",
                "|---|---:|---:|---:|---:|---:|"]
        for name, by_c in q3.items():
            for c, v in by_c.items():
                out.append(f"| {servers[name]['label']} | {c} | {_x(v['p50'])} | {_x(v['server_cpu'])} | {_x(v['pg_cpu'])} | {_x(v['rps'])} |")
        verdict = res.get("targets", {}).get("q3_vs_first")
        if verdict:
            out += ["", f"Ours: {verdict}"]
    out += ["", "**Peak RSS** (VmHWM, MiB). `after start`: once ready; per query: the high-water mark during that "
            "query's cells (reset to the current RSS before each cell with `clear_refs`: memory the allocator kept from earlier cells still counts); `run`: highest seen.", "",
            "| server | after start | " + " | ".join(QUERY_ORDER) + " | run |", "|---|---:|" + "---:|" * (len(QUERY_ORDER) + 1)]
    for _name, srv in servers.items():
        rss = srv.get("rss", {})
        per = rss.get("per_query", {})
        out.append(f"| {srv['label']} | {_f(rss.get('after_start_mb'))} | " + " | ".join(_f(per.get(q)) for q in QUERY_ORDER)
                   + f" | {_f(rss.get('peak_mb'))} |")
    target = res.get("targets", {}).get("q2_rss")
    if target:
        out += ["", f"Ours under Q2: {target}"]
    for q, prof in (res.get("profiles") or {}).items():
        if not prof.get("analysis"):
            out += ["", f"Profile under {q}: {prof.get('error', 'missing')}"]
            continue
        a = prof["analysis"]
        loaded = servers.get("gateway", {}).get("queries", {}).get(q, {}).get("load", {}).get(str(prof["concurrency"]), {})
        out += ["", f"**Profile of our gateway under {res['titles'].get(q, q)}, c={prof['concurrency']}** (py-spy "
                f"{prof['py_spy']} `record --native`, {prof['rate']} Hz, {prof['duration_s']} s, {a['samples']} samples"
                f" ({a.get('idle_samples_left_out', 0)} idle ones in epoll left out); "
                f"the worker used {_f(prof.get('server_cpu_util', 0) * 100, 0)}% of a core and served "
                f"{_f(prof.get('rps'))} req/s while sampled, vs {_f(loaded.get('rps'))} req/s unsampled):", "",
                "| area | share of CPU samples |", "|---|---:|"]
        for k, v in prof["coarse"].items():
            out.append(f"| {k} | {_f(v)}% |")
        out += ["", "<details><summary>finer buckets and top self-time frames</summary>", "",
                "| bucket | % |", "|---|---:|"]
        for b in a["buckets"]:
            out.append(f"| {b['bucket']} | {_f(b['pct'])} |")
        out += ["", "| frame (self time) | % |", "|---|---:|"]
        for t in a["top_self"]:
            out.append(f"| `{t['frame']}` | {_f(t['pct'])} |")
        out += ["", "</details>"]
    env = meta.get("versions", {})
    if env:
        out += ["", "Versions: " + "; ".join(f"{k} {v}" for k, v in env.items()) + "."]
    return "\n".join(out) + "\n"


def update_readme(size: str, section: str, readme: Path = README) -> None:
    begin, end = f"<!-- results:{size}:begin -->", f"<!-- results:{size}:end -->"
    text = readme.read_text() if readme.exists() else "# Benchmark\n"
    block = f"{begin}\n{section}{end}"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        _, tail = rest.split(end, 1)
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    readme.write_text(text)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", required=True)
    ap.add_argument("--results", default=str(HERE / "results"))
    a = ap.parse_args(argv)
    res = json.loads((Path(a.results) / a.size / "results.json").read_text())
    update_readme(a.size, render(res))
    print(f"updated {README}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
