"""SQL statements per GraphQL request, counted by PostgreSQL itself.

`pg_stat_statements` is not preloaded on the shared server and restarting it
would disturb others, so (as the shared harness does) a dedicated login role
has statement logging switched on for its own sessions only:

    ALTER ROLE gw_bench_sqlcount SET log_statement = 'all'

During the count phase a server logs in as that role. We note the size of the
server log, send WARM requests, then N requests one at a time, and count the
new log lines of that role: `statement: ...` (simple protocol) and
`execute <name>: ...` (extended protocol: asyncpg, node-postgres; one per
Execute). Every statement counts (BEGIN/ROLLBACK, pings) and the data
statements (SELECT/WITH) are reported on their own. The role is distinct from
the shared harness's `bench_sqlcount`, so the two never count each other.
Reading the log needs root. Uses psql for the role set-up (idempotent).
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from collections import Counter
from pathlib import Path

from bench import workloads

ROLE = "gw_bench_sqlcount"


def _psql(admin_dsn: str, sql: str) -> str:
    result = subprocess.run(["psql", admin_dsn, "-v", "ON_ERROR_STOP=1", "-qAtc", sql],
                            capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise RuntimeError(f"psql failed: {result.stderr.strip()}")
    return result.stdout.strip()


def setup_role(admin_dsn: str) -> None:
    """Create/refresh the counting role; read-only grants on the (re)created tables."""
    _psql(admin_dsn, f"""
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{ROLE}') THEN CREATE ROLE {ROLE} LOGIN; END IF;
END $$;
ALTER ROLE {ROLE} SET log_statement = 'all';
GRANT USAGE ON SCHEMA public TO {ROLE};
GRANT SELECT ON ALL TABLES IN SCHEMA public TO {ROLE};
""")


def count_dsn(admin_dsn: str) -> str:
    """The admin DSN with the counting role as user (no password: trust on loopback)."""
    scheme, rest = admin_dsn.split("://", 1)
    host = rest.split("@", 1)[1] if "@" in rest else rest
    return f"{scheme}://{ROLE}@{host}"


def server_log(admin_dsn: str) -> Path:
    """The PostgreSQL server log: the file the postmaster's stderr goes to."""
    data_dir = _psql(admin_dsn, "SHOW data_directory")
    try:
        pid = Path(data_dir, "postmaster.pid").read_text().split("\n", 1)[0].strip()
        target = Path(f"/proc/{pid}/fd/2").resolve()
        if target.is_file():
            return target
    except OSError:
        pass
    candidates = sorted(Path("/var/log/postgresql").glob("postgresql-*-main.log"))
    if candidates:
        return candidates[-1]
    raise RuntimeError("cannot find the PostgreSQL server log (set log_destination=stderr)")


_LINE = re.compile(r"\] " + re.escape(ROLE) + r"@\S* LOG:  (?:statement|execute ([^:]*)): (.*)")
_DETAIL = re.compile(r"\] " + re.escape(ROLE) + r"@\S* DETAIL:  (parameters: .*)")


def _kind(sql: str) -> str:
    word = (sql.strip().split(None, 1) or [""])[0].upper().rstrip(";")
    return word or "(empty: ping)"


def count(url: str, body: dict, log_path: Path, *, n: int = 5, warm: int = 3) -> dict:
    """Statements per request over `n` sequential requests, and the SQL of the last one."""
    data = json.dumps(body).encode()
    for _ in range(warm):
        workloads.post(url, data)
    time.sleep(0.5)
    start = log_path.stat().st_size
    for _ in range(n):
        workloads.post(url, data)
    time.sleep(0.7)
    kinds: Counter[str] = Counter()
    statements: list[list[str]] = []
    current: list[str] | None = None
    with open(log_path, "rb") as f:
        f.seek(start)
        for raw in f:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            match = _LINE.search(line)
            if match:
                current = [match.group(2)]
                statements.append(current)
                kinds[_kind(match.group(2))] += 1
                continue
            detail = _DETAIL.search(line)
            if detail and statements:
                statements[-1].insert(0, "-- " + detail.group(1))
                current = None
            elif current is not None and line.startswith("\t"):
                current.append(line[1:])
            else:
                current = None
    total = sum(kinds.values())
    per_request = round(total / n, 2)
    selects = round((kinds.get("SELECT", 0) + kinds.get("WITH", 0)) / n, 2)
    k = max(1, round(total / n)) if total else 0
    last = ["\n".join(s).rstrip().rstrip(";") for s in statements[-k:]] if k else []
    return {
        "requests": n,
        "statements_per_request": per_request,
        "selects_per_request": selects,
        "by_kind": {kind: round(v / n, 2) for kind, v in kinds.most_common()},
        "last_request_sql": last,
    }
