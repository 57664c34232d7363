"""A real MariaDB primary with a replica (binlog replication, GTID), started in a
temporary directory: `mariadb-install-db`, then `mariadbd` on free ports of 127.0.0.1.
As root, the servers run as the `mysql` OS user (`--user`) in a directory it owns."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.ext.asyncio import create_async_engine

from tests.support.pg_cluster import PRIMARY, REPLICA, ClusterUnavailable, free_port

START_TIMEOUT = 60
SERVER_IDS = {PRIMARY: 1, REPLICA: 2}


@dataclass
class MariaDbCluster:
    root: Path
    ports: dict[str, int] = field(default_factory=dict)
    os_user: str | None = None
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    database: str = "airflow"
    admin_database: str = "mysql"

    def data_dir(self, name: str) -> Path:
        return self.root / name

    def socket(self, name: str) -> Path:
        return self.root / f"{name}.sock"

    def url(self, name: str, database: str | None = None) -> str:
        return f"mysql://root@127.0.0.1:{self.ports[name]}/{database or self.database}"

    def _client(self, name: str, sql: str) -> None:
        """Through the socket as root: before the TCP account exists."""
        completed = subprocess.run(
            ["mariadb", "--no-defaults", f"--socket={self.socket(name)}", "-uroot", "-e", sql],
            capture_output=True, text=True, timeout=START_TIMEOUT,
        )
        if completed.returncode != 0:
            raise RuntimeError(f"mariadb on {name}: {completed.stderr}")

    def init(self) -> None:
        self.ports = {PRIMARY: free_port(), REPLICA: free_port()}
        for name in (PRIMARY, REPLICA):
            command = ["mariadb-install-db", "--no-defaults", f"--datadir={self.data_dir(name)}",
                       "--auth-root-authentication-method=normal", "--skip-test-db"]
            if self.os_user:
                command.append(f"--user={self.os_user}")
            completed = subprocess.run(command, capture_output=True, text=True, timeout=120)
            if completed.returncode != 0:
                raise RuntimeError(f"mariadb-install-db failed:\n{completed.stderr}")
            self.start(name)
            # Not written to the binlog: the replica has its own.
            self._client(name, "SET sql_log_bin = 0; CREATE USER IF NOT EXISTS 'root'@'127.0.0.1';"
                               " GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION")
        self._client(REPLICA, (
            f"CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT={self.ports[PRIMARY]},"
            " MASTER_USER='root', MASTER_USE_GTID=slave_pos; START SLAVE"
        ))

    def start(self, name: str) -> None:
        command = [
            "mariadbd", "--no-defaults", f"--datadir={self.data_dir(name)}",
            f"--port={self.ports[name]}", "--bind-address=127.0.0.1",
            f"--socket={self.socket(name)}", f"--pid-file={self.root / (name + '.pid')}",
            f"--log-error={self.root / (name + '.err')}", f"--server-id={SERVER_IDS[name]}",
            f"--log-bin={self.data_dir(name) / 'binlog'}", "--binlog-format=ROW",
            "--skip-name-resolve", "--innodb-buffer-pool-size=32M",
            "--innodb-flush-log-at-trx-commit=0",
            "--skip-log-slave-updates",
        ]
        if self.os_user:
            command.append(f"--user={self.os_user}")
        self.processes[name] = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + START_TIMEOUT
        while not self.socket(name).exists():
            if self.processes[name].poll() is not None or time.monotonic() > deadline:
                log = self.root / f"{name}.err"
                raise RuntimeError(f"mariadbd {name} did not start:\n"
                                   f"{log.read_text()[-2000:] if log.exists() else ''}")
            time.sleep(0.1)

    def stop(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=START_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def destroy(self) -> None:
        for name in (REPLICA, PRIMARY):
            self.stop(name)
        shutil.rmtree(self.root, ignore_errors=True)

    async def execute(self, name: str, sql: str, database: str | None = None) -> list:
        engine = create_async_engine(
            self.url(name, database).replace("mysql://", "mysql+aiomysql://"),
            isolation_level="AUTOCOMMIT",
        )
        try:
            async with engine.connect() as connection:
                result = await connection.exec_driver_sql(sql)
                return result.all() if result.returns_rows else []
        finally:
            await engine.dispose()

    async def wait_for_replay(self, timeout: float = 30) -> None:
        """Until the replica has applied every transaction the primary has logged."""
        ((position,),) = await self.execute(PRIMARY, "SELECT @@gtid_binlog_pos", "mysql")
        ((waited,),) = await self.execute(
            REPLICA, f"SELECT MASTER_GTID_WAIT('{position}', {timeout})", "mysql"
        )
        if waited != 0:
            raise TimeoutError(f"replica did not reach {position}")


def new_mariadb_cluster() -> MariaDbCluster:
    """A started primary + replica; raises ClusterUnavailable when this machine cannot."""
    missing = [b for b in ("mariadb-install-db", "mariadbd", "mariadb") if not shutil.which(b)]
    if missing:
        raise ClusterUnavailable(f"MariaDB binaries {missing} not on PATH")
    root = Path(tempfile.mkdtemp(prefix="bfg-mariadb-cluster-"))
    os_user = None
    if os.geteuid() == 0:
        import pwd

        try:
            owner = pwd.getpwnam("mysql")
        except KeyError as error:
            shutil.rmtree(root, ignore_errors=True)
            raise ClusterUnavailable("running as root and there is no `mysql` OS user") from error
        os.chown(root, owner.pw_uid, owner.pw_gid)
        os_user = "mysql"
    cluster = MariaDbCluster(root=root, os_user=os_user)
    atexit.register(cluster.destroy)
    try:
        cluster.init()
    except BaseException:
        cluster.destroy()
        raise
    return cluster
