"""The standard queries, their expected answers (from SQL), and request bodies.

Our queries live in bench/queries/ (manifest.json + .graphql). The peers'
equivalents are read, unchanged, from the shared harness's `queries/<schema>/`
folders; their `@name` placeholders resolve against the same facts, computed
here with SQL on the loaded dataset. Q3-first-page is derived from each
manifest's Q3: the same document with `after: null`, and the expected answer of
slots 1-5. Q5 has no peer equivalent (the peers are compared on their Q2).

Standard library + asyncpg only.
"""

from __future__ import annotations

import base64
import copy
import json
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUR_QUERIES = HERE / "queries"
Q3_PAGE = 5  # Q3 page size
Q3_PAGE_NO = 200  # Q3 reads page 200: after the cursor of slot (200 - 1) * 5 = 995
Q2_BACKFILLS, Q2_SLOTS = 50, 20
PEER_EQUIVALENT = {"q5": "q2"}  # our query -> the peers' query it is compared with


def global_id(type_name: str, key: int) -> str:
    return base64.b64encode(f"{type_name}:{key}".encode()).decode("ascii")


# ------------------------------------------------------------------ facts from SQL
async def facts(dsn: str) -> dict[str, Any]:
    """Backfill ids the workloads use and every expected answer, computed with SQL."""
    import asyncpg

    conn = await asyncpg.connect(dsn)
    try:
        counts = {
            r["backfill_id"]: r["n"]
            for r in await conn.fetch("SELECT backfill_id, count(*) AS n FROM backfill_dag_run GROUP BY 1")
        }
        ids = [r["id"] for r in await conn.fetch("SELECT id FROM backfill ORDER BY id")]
        big = [i for i in ids if counts.get(i) == 1000]
        if not big:
            raise RuntimeError("the dataset has no 1000-slot backfill (needed by Q3)")
        q3_id = big[-1]
        mid = [i for i in ids if 50 <= counts.get(i, 0) <= 999]
        q1_id = mid[-1] if mid else next(i for i in ids if counts.get(i, 0) >= 50 and i != q3_id)
        k1 = min(50, counts[q1_id])
        first50 = ids[:Q2_BACKFILLS]
        ks = [min(Q2_SLOTS, counts.get(i, 0)) for i in first50]
        skip = (Q3_PAGE_NO - 1) * Q3_PAGE
        q3_rows = range(skip + 1, min(skip + Q3_PAGE, 1000) + 1)
        progress = await conn.fetchrow(
            "SELECT count(*) FILTER (WHERE s.exception_reason IS NOT NULL) AS skipped,"
            " count(*) FILTER (WHERE s.exception_reason IS NULL AND s.dag_run_id IS NULL) AS run_missing,"
            " count(*) FILTER (WHERE r.state = 'queued') AS queued,"
            " count(*) FILTER (WHERE r.state = 'running') AS running,"
            " count(*) FILTER (WHERE r.state = 'success') AS success,"
            " count(*) FILTER (WHERE r.state = 'failed') AS failed"
            " FROM backfill_dag_run s LEFT JOIN dag_run r ON r.id = s.dag_run_id"
            " WHERE s.backfill_id = ANY($1::int[])",
            first50,
        )
        q4_ids = ids[:100]
        q4_max_active = await conn.fetchval(
            "SELECT coalesce(sum(max_active_runs), 0) FROM backfill WHERE id = ANY($1::int[])", q4_ids
        )
    finally:
        await conn.close()
    return {
        "q0_backfill_id": ids[0],
        "q1_backfill_id": q1_id,
        "q1_backfill_gid": global_id("Backfill", q1_id),
        "q1_slots": counts[q1_id],
        "q1_expected": k1,
        "q1_ordinal_sum": k1 * (k1 + 1) // 2,
        "q2_backfills": len(first50),
        "q2_expected": sum(ks),
        "q2_total_sum": sum(counts.get(i, 0) for i in first50),
        "q2_ordinal_sum": sum(k * (k + 1) // 2 for k in ks),
        "q2_empty_backfills": sum(1 for i in first50 if not counts.get(i)),
        "q3_backfill_id": q3_id,
        "q3_backfill_gid": global_id("Backfill", q3_id),
        "q3_skip": skip,
        "q3_expected": len(q3_rows),
        "q3_ordinal_sum": sum(q3_rows),
        "q3first_expected": Q3_PAGE,
        "q3first_ordinal_sum": Q3_PAGE * (Q3_PAGE + 1) // 2,
        "q4_expected": len(q4_ids),
        "q4_max_active_sum": q4_max_active,
        **{f"q5_{k}_sum": progress[k] for k in ("skipped", "run_missing", "queued", "running", "success", "failed")},
    }


# ------------------------------------------------------------------ manifests
def load_manifest(query_dir: Path) -> dict[str, dict]:
    """A manifest with the Q3-first-page variant added when the manifest has a Q3."""
    manifest = json.loads((query_dir / "manifest.json").read_text())
    for spec in manifest.values():
        spec.setdefault("document", None)
    if "q3" in manifest and "q3first" not in manifest:
        q3 = manifest["q3"]
        first = {"title": "Q3-first-page (baseline of Q3)", "document": q3["document"] or "q3.graphql",
                 "variables": {**q3["variables"], "after": None}, "checks": []}
        for check in q3["checks"]:
            check = dict(check)
            if check["op"] == "count":
                check["expect"] = "@q3first_expected"
            elif check["op"] == "sum":
                check["expect"] = "@q3first_ordinal_sum"
            first["checks"].append(check)
        manifest["q3first"] = first
    return manifest


def _subst(value: Any, env: dict[str, Any]) -> Any:
    if isinstance(value, str) and value.startswith("@"):
        return env[value[1:]]
    if isinstance(value, dict):
        return {k: _subst(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [_subst(v, env) for v in value]
    return value


# ------------------------------------------------------------------ HTTP
def post(url: str, body: dict | bytes, timeout: float = 60.0,
         headers: dict[str, str] | None = None) -> tuple[int, Any, bytes]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method="POST", headers={
        "Content-Type": "application/json", "Accept": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw, status = response.read(), response.status
    except urllib.error.HTTPError as error:
        raw, status = error.read(), error.code
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = None
    return status, parsed, raw


def wait_ready(url: str, timeout: float = 90.0, proc=None, headers: dict[str, str] | None = None) -> None:
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with code {proc.returncode}")
        try:
            status, parsed, _ = post(url, {"query": "{ __typename }"}, timeout=5, headers=headers)
            if status == 200 and parsed and parsed.get("data"):
                return
            last = f"HTTP {status}"
        except Exception as error:  # noqa: BLE001 - refused while starting
            last = repr(error)
        time.sleep(0.3)
    raise TimeoutError(f"{url} not ready after {timeout}s: {last}")


# ------------------------------------------------------------------ checks
def walk(obj: Any, path: str) -> list[Any]:
    """Values at a dotted path; `key[*]` flattens a list."""
    current = [obj]
    for segment in path.split("."):
        flatten = segment.endswith("[*]")
        key = segment[:-3] if flatten else segment
        nxt = []
        for o in current:
            if not isinstance(o, dict) or o.get(key) is None:
                continue
            v = o[key]
            if flatten:
                nxt.extend(v if isinstance(v, list) else [])
            else:
                nxt.append(v)
        current = nxt
    return current


def run_checks(response: Any, checks: list[dict]) -> list[str]:
    """Failure messages (empty when the response is right)."""
    if not isinstance(response, dict):
        return ["response is not a JSON object"]
    fails = []
    if response.get("errors"):
        fails.append("errors: " + json.dumps(response["errors"])[:300])
    if response.get("data") is None:
        return fails + ["no data"]
    for check in checks:
        values = walk(response, check["path"])
        op = check.get("op", "count")
        if op == "count":
            got = sum(len(v) for v in values if isinstance(v, list))
        elif op == "sum":
            got = sum(v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool))
        elif op == "value":
            got = values[0] if values else None
        else:
            raise ValueError(f"unknown check op {op!r}")
        if got != check["expect"]:
            fails.append(f"{op}({check['path']}) = {got!r}, expected {check['expect']!r}")
    return fails


# ------------------------------------------------------------------ bodies
def read_document(path: Path, rewrites: list[tuple[str, str]] = ()) -> str:
    """A query document, with a server's documented textual rewrites applied."""
    text = path.read_text()
    for old, new in rewrites:
        text = text.replace(old, new)
    return text


def fetch_cursor(url: str, query_dir: Path, spec: dict, env: dict, rewrites: list[tuple[str, str]] = (),
                 headers: dict[str, str] | None = None) -> str:
    """The `after` cursor for Q3, from the live server.

    Our manifest walks pages of at most `max_page` (the gateway caps `first`);
    the peers' manifests ask for `first: <skip>` in one request.
    """
    document = read_document(query_dir / (spec.get("document") or spec["query_file"]), rewrites)
    variables = _subst(spec["variables"], env)
    if "skip" not in spec:
        status, parsed, raw = post(url, {"query": document, "variables": variables}, headers=headers)
        values = walk(parsed or {}, spec["path"])
        if status != 200 or not values:
            raise RuntimeError(f"could not fetch the Q3 cursor from {url}: {raw[:300]!r}")
        return values[0]
    remaining, after = _subst(spec["skip"], env), None
    while remaining > 0:
        first = min(remaining, spec.get("max_page") or remaining)
        status, parsed, raw = post(url, {"query": document, "variables": {**variables, "first": first, "after": after}},
                                   headers=headers)
        values = walk(parsed or {}, spec["path"])
        if status != 200 or not values:
            raise RuntimeError(f"could not fetch the Q3 cursor from {url}: {raw[:300]!r}")
        after, remaining = values[0], remaining - first
    return after


def resolve(url: str, query_dir: Path, name: str, spec: dict, fx: dict,
            rewrites: list[tuple[str, str]] = (), headers: dict[str, str] | None = None) -> dict:
    """{"body": POST body, "checks": resolved checks} for one query of one server."""
    env = dict(fx)
    if "cursor" in spec:
        env["cursor"] = fetch_cursor(url, query_dir, spec["cursor"], env, rewrites, headers)
    document = read_document(query_dir / (spec.get("document") or f"{name}.graphql"), rewrites)
    body = {"query": document, "variables": _subst(spec["variables"], env)}
    return {"body": body, "checks": _subst(copy.deepcopy(spec["checks"]), env)}
