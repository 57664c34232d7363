"""A real PostgreSQL primary with a streaming replica, started in a temporary directory.

`initdb` makes the primary, `pg_basebackup -R` clones it into a hot standby that
streams from it, `pg_ctl` starts, stops and promotes them, each on a free port of
127.0.0.1. PostgreSQL refuses to run as root: as root, every server binary runs as
the `postgres` OS user (runuser) in a directory it owns. `TEST_PG_BIN` names the
binaries' directory (default: the newest /usr/lib/postgresql/*/bin).
"""

from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from backfill_gateway.db.replica_lag import wal_position

START_TIMEOUT = 60
PRIMARY, REPLICA = "primary", "replica"


class ClusterUnavailable(Exception):
    """The PostgreSQL server binaries (or an OS user to run them) are not on this machine."""


def pg_bin_dir() -> Path:
    configured = os.environ.get("TEST_PG_BIN")
    if configured:
        return Path(configured)
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"), key=lambda path: int(path.parent.name)
        if path.parent.name.isdigit() else 0,
    )
    return candidates[-1] if candidates else Path("/usr/lib/postgresql/15/bin")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class PgCluster:
    root: Path
    bin_dir: Path
    ports: dict[str, int] = field(default_factory=dict)
    run_as: list[str] = field(default_factory=list)
    database: str = "airflow"
    admin_database: str = "postgres"

    # -- commands ---------------------------------------------------------------

    def _run(self, binary: str, *args: str, timeout: float = START_TIMEOUT) -> None:
        command = [*self.run_as, str(self.bin_dir / binary), *args]
        completed = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, cwd=self.root
        )
        if completed.returncode != 0:
            raise RuntimeError(
                f"{' '.join(command)} failed ({completed.returncode}):\n"
                f"{completed.stdout}\n{completed.stderr}\n{self._log_tails()}"
            )

    def _log_tails(self) -> str:
        tails = []
        for name in (PRIMARY, REPLICA):
            log = self.root / f"{name}.log"
            if log.exists():
                tails.append(f"--- {name}.log\n" + "\n".join(log.read_text().splitlines()[-15:]))
        return "\n".join(tails)

    def data_dir(self, name: str) -> Path:
        return self.root / name

    def url(self, name: str, database: str | None = None) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.ports[name]}/{database or self.database}"

    def multi_host_url(self, target_session_attrs: str, database: str | None = None) -> str:
        """libpq's multi-host URI: both servers, the one to use chosen at connect time."""
        hosts = ",".join(f"127.0.0.1:{self.ports[name]}" for name in (PRIMARY, REPLICA))
        return (
            f"postgresql://postgres@{hosts}/{database or self.database}"
            f"?target_session_attrs={target_session_attrs}"
        )

    # -- life cycle -------------------------------------------------------------

    def init(self) -> None:
        self.ports = {PRIMARY: free_port(), REPLICA: free_port()}
        self._run("initdb", "-D", str(self.data_dir(PRIMARY)), "-A", "trust", "-U", "postgres",
                  "-E", "UTF8", "--no-sync", "--no-instructions")
        self._configure(PRIMARY)
        self.start(PRIMARY)
        self._run("pg_basebackup", "-h", "127.0.0.1", "-p", str(self.ports[PRIMARY]),
                  "-U", "postgres", "-D", str(self.data_dir(REPLICA)), "-R", "-X", "stream",
                  "-c", "fast", "--no-sync")
        self._configure(REPLICA)
        self.start(REPLICA)

    def _configure(self, name: str) -> None:
        # Appended last, so these win over what initdb or pg_basebackup copied.
        settings = {
            "port": self.ports[name],
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{self.root}'",
            "fsync": "off",
            # On: a commit returns once its WAL is written (fsync is off, so no cost), so
            # pg_current_wal_lsn() covers it and wait_for_replay() waits for it. Off, the
            # commit record waits in WAL buffers for the WAL writer (up to 200 ms): the
            # wait returns early and an immediate stop loses the commit on the replica.
            "synchronous_commit": "on",
            "full_page_writes": "off",
            "max_connections": 60,
            "shared_buffers": "'16MB'",
            "wal_level": "replica",
            "max_wal_senders": 4,
            "hot_standby": "on",
            "wal_receiver_status_interval": "'1s'",
        }
        with (self.data_dir(name) / "postgresql.conf").open("a") as conf:
            conf.write("\n# tests/support/pg_cluster.py\n")
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())

    def start(self, name: str) -> None:
        self._run("pg_ctl", "-D", str(self.data_dir(name)), "-l", str(self.root / f"{name}.log"),
                  "-w", "-t", str(START_TIMEOUT), "start")

    def stop(self, name: str, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data_dir(name)), "-m", mode, "-w", "stop")

    def promote(self, name: str = REPLICA) -> None:
        self._run("pg_ctl", "-D", str(self.data_dir(name)), "-w", "promote")

    def is_running(self, name: str) -> bool:
        return (self.data_dir(name) / "postmaster.pid").exists()

    def destroy(self) -> None:
        for name in (REPLICA, PRIMARY):
            if self.data_dir(name).exists() and self.is_running(name):
                try:
                    self.stop(name, "immediate")
                except Exception:  # noqa: BLE001 - removed below either way
                    pass
        shutil.rmtree(self.root, ignore_errors=True)

    # -- SQL on one server --------------------------------------------------------

    async def execute(self, name: str, sql: str, database: str | None = None) -> list:
        engine = create_async_engine(
            self.url(name, database).replace("postgresql://", "postgresql+asyncpg://"),
            isolation_level="AUTOCOMMIT",
        )
        try:
            async with engine.connect() as connection:
                result = await connection.execute(text(sql))
                return result.all() if result.returns_rows else []
        finally:
            await engine.dispose()

    async def wait_for_replay(self, timeout: float = 30) -> None:
        """Until the replica has replayed every commit the primary acknowledged so far
        (its WAL write position; synchronous_commit is on, see _configure)."""
        ((position,),) = await self.execute(PRIMARY, "SELECT pg_current_wal_lsn()::text")
        target = wal_position(position)
        deadline = time.monotonic() + timeout
        while True:
            ((replayed,),) = await self.execute(REPLICA, "SELECT pg_last_wal_replay_lsn()::text")
            if replayed is not None and wal_position(replayed) >= target:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"replica at {replayed}, primary at {target:X}")
            await asyncio.sleep(0.05)


def new_cluster() -> PgCluster:
    """A started primary + replica; raises ClusterUnavailable when this machine cannot."""
    bin_dir = pg_bin_dir()
    missing = [b for b in ("initdb", "pg_ctl", "pg_basebackup") if not (bin_dir / b).exists()]
    if missing:
        raise ClusterUnavailable(
            f"PostgreSQL server binaries {missing} not in {bin_dir} (set TEST_PG_BIN)"
        )
    run_as: list[str] = []
    root = Path(tempfile.mkdtemp(prefix="bfg-pg-cluster-"))
    if os.geteuid() == 0:  # initdb refuses root: the servers run as `postgres`
        import pwd

        try:
            owner = pwd.getpwnam("postgres")
        except KeyError as error:
            shutil.rmtree(root, ignore_errors=True)
            raise ClusterUnavailable("running as root and no `postgres` OS user") from error
        runuser = shutil.which("runuser")
        if runuser is None:
            shutil.rmtree(root, ignore_errors=True)
            raise ClusterUnavailable("running as root and `runuser` is missing")
        os.chown(root, owner.pw_uid, owner.pw_gid)
        run_as = [runuser, "-u", "postgres", "--"]
    cluster = PgCluster(root=root, bin_dir=bin_dir, run_as=run_as)
    # Also when the test run ends without its fixtures' teardown (an interrupted session).
    atexit.register(cluster.destroy)
    try:
        cluster.init()
    except BaseException:
        cluster.destroy()
        raise
    return cluster
