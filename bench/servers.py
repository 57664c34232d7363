"""The servers under test: our gateway and the shared harness's peers.

Each server is started here, in its own session, and stopped here by its PID
(SIGTERM, then SIGKILL after 15 s); nothing else is ever signalled. Also: CPU
seconds and peak RSS of a server process, CPU of the PostgreSQL backends of
the bench database, and loopback-only checks.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench import workloads

ROOT = Path(__file__).resolve().parent.parent
CLK = os.sysconf("SC_CLK_TCK")


def default_gateway_python() -> str:
    """The project's .venv interpreter when there is one, else the one running this."""
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def default_peers_dir() -> Path:
    for candidate in (os.environ.get("BENCH_PEERS_DIR"), "/work/shared/bench", ROOT.parent / "shared" / "bench"):
        if candidate and (Path(candidate) / "peers").is_dir():
            return Path(candidate)
    return Path("/work/shared/bench")


@dataclass
class Spec:
    name: str
    label: str
    port: int
    argv: list[str]
    env: Callable[[str], dict[str, str]]  # DSN -> environment
    query_dir: Path
    cwd: Path
    ours: bool = False
    notes: list[str] = field(default_factory=list)
    # Textual rewrites of the server's query documents (each one documented in `notes`).
    rewrites: list[tuple[str, str]] = field(default_factory=list)
    # Sent with every request (the production start needs a token).
    headers: dict[str, str] = field(default_factory=dict)
    # Several worker processes ("the whole machine"): measured only at --machine-concurrency.
    machine: bool = False
    # Before/after: the same gateway from another checkout (--baseline-repo), fixed-cost query only.
    baseline: bool = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql"


# The production start's token (README "Production start": no anonymous reads). Bench-only secret.
BENCH_TOKEN = "bench-reader-token-not-a-secret"


def bench_token_entry() -> str:
    import hashlib

    return f"bench:reader:{hashlib.sha256(BENCH_TOKEN.encode()).hexdigest()}"


UVICORN_FLAGS = ["--host", "127.0.0.1", "--workers", "1", "--loop", "uvloop", "--http", "httptools",
                 "--no-access-log", "--log-level", "warning"]


def specs(*, gateway_python: str, gateway_port: int, peers_dir: Path, peer_venv: Path,
          node: str, pgl_dir: Path, fx: dict, workers: int, metrics_dir: Path, pgl_port: int = 5678,
          baseline_repo: Path | None = None) -> dict[str, Spec]:
    uvicorn_peer = lambda app_dir, port: [  # noqa: E731
        str(peer_venv / "bin" / "python"), "-m", "uvicorn", "app:app", "--app-dir",
        str(peers_dir / "peers" / app_dir), "--port", str(port), *UVICORN_FLAGS]
    extra_ids = f"{fx['q1_backfill_id']},{fx['q3_backfill_id']}"
    serve = str(Path(gateway_python).parent / "backfill-gateway")

    def production_env(dsn: str) -> dict[str, str]:
        # The README's production start: no GraphiQL, no introspection, tokens required,
        # multi-process metrics (the directory is emptied before each start).
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir(parents=True)
        return {"DATABASE_URL": dsn, "GATEWAY_GRAPHIQL": "false", "GATEWAY_INTROSPECTION": "false",
                "GATEWAY_ALLOW_ANONYMOUS_READS": "false", "GATEWAY_TOKENS": bench_token_entry(),
                "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}

    pgl_env = lambda port: lambda dsn: {  # noqa: E731
        "NODE_PATH": str(pgl_dir / "node_modules"), "PGL_DSN": dsn, "PGL_PORT": str(port),
        # PostGraphile's production mode (its docs: NODE_ENV / GRAPHILE_ENV=production).
        "NODE_ENV": "production", "GRAPHILE_ENV": "production"}
    out = {
        "gateway": Spec(
            "gateway", "ours: backfill gateway", gateway_port,
            [gateway_python, "-m", "uvicorn", "app:app", "--port", str(gateway_port), *UVICORN_FLAGS],
            lambda dsn: {"DATABASE_URL": dsn}, workloads.OUR_QUERIES, ROOT, ours=True),
        "postgraphile": Spec(
            "postgraphile", "PostGraphile 5 (node 22)", pgl_port,
            [node, str(peers_dir / "peers" / "postgraphile" / "server.js")], pgl_env(pgl_port),
            peers_dir / "queries" / "postgraphile", peers_dir,
            notes=["PostGraphile offers `orderBy` only on indexed columns, and Airflow has no index on "
                   "backfill_dag_run.sort_ordinal (the shared harness added one): its slot connections are "
                   "ordered by PRIMARY_KEY_ASC instead of SORT_ORDINAL_ASC, the same order on this data "
                   "(slot ids follow sort_ordinal; the answer checks on sortOrdinal sums hold)"],
            rewrites=[("orderBy: [SORT_ORDINAL_ASC]", "orderBy: [PRIMARY_KEY_ASC]")]),
        "strawberry_naive": Spec(
            "strawberry_naive", "Strawberry naive (N+1)", 8101, uvicorn_peer("strawberry_naive", 8101),
            lambda dsn: {"BENCH_DSN": dsn}, peers_dir / "queries" / "strawberry", peers_dir),
        "ceiling": Spec(
            "ceiling", "ceiling: Strawberry in-memory", 8103, uvicorn_peer("ceiling", 8103),
            lambda dsn: {"BENCH_DSN": dsn, "CEILING_EXTRA_IDS": extra_ids},
            peers_dir / "queries" / "strawberry", peers_dir),
        "ceiling_async": Spec(
            "ceiling_async", "ceiling: Strawberry in-memory, async", 8104, uvicorn_peer("ceiling", 8104),
            lambda dsn: {"BENCH_DSN": dsn, "CEILING_EXTRA_IDS": extra_ids, "CEILING_ASYNC": "1"},
            peers_dir / "queries" / "strawberry", peers_dir),
        "strawberry_mapper": Spec(
            "strawberry_mapper", "strawberry-sqlalchemy-mapper", 8102, uvicorn_peer("strawberry_mapper", 8102),
            lambda dsn: {"BENCH_DSN": dsn}, peers_dir / "queries" / "strawberry_mapper", peers_dir,
            notes=["its Q2 returns 20 slots in total, not 20 per backfill (see the shared RESULTS)"]),
        "gateway_machine": Spec(
            "gateway_machine", f"ours, whole machine: production start, {workers} workers", gateway_port + 1,
            [serve, "serve", "--host", "127.0.0.1", "--port", str(gateway_port + 1), "--workers", str(workers)],
            production_env, workloads.OUR_QUERIES, ROOT, ours=True, machine=True,
            headers={"Authorization": f"Bearer {BENCH_TOKEN}"},
            notes=[f"`backfill-gateway serve --workers {workers}` (= cores) with the README's production "
                   "settings: tokens required (a reader token on every request), no GraphiQL or "
                   "introspection, PROMETHEUS_MULTIPROC_DIR, JSON access log"]),
    }
    if baseline_repo is not None:
        python = baseline_repo / ".venv" / "bin" / "python"
        out["gateway_baseline"] = Spec(
            "gateway_baseline", f"ours before (baseline checkout {baseline_repo})", gateway_port + 2,
            [str(python), "-m", "uvicorn", "app:app", "--port", str(gateway_port + 2), *UVICORN_FLAGS],
            lambda dsn: {"DATABASE_URL": dsn}, workloads.OUR_QUERIES, baseline_repo, ours=True, baseline=True)
    return out


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


class Server:
    """One started server process; `stop()` ends it (and only it)."""

    def __init__(self, spec: Spec, dsn: str, log_path: Path):
        if port_in_use(spec.port):
            raise RuntimeError(f"port {spec.port} is already in use: stop that server first or pick another port")
        self.spec = spec
        env = dict(os.environ)
        env.update(spec.env(dsn))
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(log_path, "ab")
        self.proc = subprocess.Popen(spec.argv, env=env, cwd=str(spec.cwd), stdout=self._log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        try:
            workloads.wait_ready(spec.url, timeout=120, proc=self.proc, headers=spec.headers)
        except Exception:
            self.stop()
            raise

    @property
    def pid(self) -> int:
        return self.proc.pid

    def cpu_s(self) -> float:
        """CPU seconds of the server: its process and every process it started (workers)."""
        total = 0.0
        for pid in process_tree(self.pid):
            try:
                total += proc_cpu_s(pid)
            except OSError:  # exited meanwhile
                continue
        return total

    def workers(self) -> list[int]:
        """The processes serving requests: the children when there are any, else the process."""
        children = process_tree(self.pid)[1:]
        return children or [self.pid]

    def rss_mb(self, field_name: str = "VmHWM") -> float:
        """Per worker: the largest of the workers' values."""
        values = []
        for pid in self.workers():
            try:
                values.append(proc_status_mb(pid, field_name))
            except OSError:
                continue
        return max(values, default=float("nan"))

    def reset_peak_rss(self) -> bool:
        """Reset VmHWM to the current RSS (Linux clear_refs 5); False where not allowed."""
        try:
            for pid in self.workers():
                with open(f"/proc/{pid}/clear_refs", "w") as f:
                    f.write("5")
            return True
        except OSError:
            return False

    def wait_idle(self, limit: float = 180.0) -> float:
        """Wait until the server finished the requests wrk left in flight (CPU quiet)."""
        t0 = time.time()
        while time.time() - t0 < limit:
            c0 = self.cpu_s()
            time.sleep(0.5)
            if self.cpu_s() - c0 < 0.02:
                break
        return time.time() - t0

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


def process_tree(root: int) -> list[int]:
    """`root` and its descendants (from /proc's parent ids), root first."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, ()))
    return tree


def proc_cpu_s(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        parts = f.read().rsplit(")", 1)[1].split()
    return (int(parts[11]) + int(parts[12])) / CLK


def proc_status_mb(pid: int, field_name: str) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field_name + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _pg_backends(dbname: str) -> dict[int, int]:
    """{pid: CPU ticks} of the PostgreSQL backends connected to `dbname`."""
    out = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                title = f.read().decode("utf-8", "replace")
            if not title.startswith("postgres: ") or f" {dbname} " not in title:
                continue
            with open(f"/proc/{pid}/stat") as f:
                parts = f.read().rsplit(")", 1)[1].split()
            out[int(pid)] = int(parts[11]) + int(parts[12])
        except OSError:
            continue
    return out


class PgCpu:
    """CPU seconds of the bench database's backends over a window (sampled every
    0.25 s, so backends that a pool closes during the window still count)."""

    def __init__(self, dbname: str):
        self.dbname = dbname
        self.base = _pg_backends(dbname)
        self.last = dict(self.base)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(0.25):
            self.last.update(_pg_backends(self.dbname))

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        self.last.update(_pg_backends(self.dbname))
        return sum(v - self.base.get(pid, 0) for pid, v in self.last.items()) / CLK
