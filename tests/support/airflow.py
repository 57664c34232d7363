"""A real Airflow (from the package registry) running the project's wheel as a plugin.

`airflow_venv()` installs `apache-airflow==AIRFLOW_VERSION` into a virtual environment
cached in the checkout (.cache/, git-ignored; about 1.5 minutes the first time, reused
afterwards), and `install_wheel` puts the project's wheel into it, as an operator does.
`running_airflow` migrates a SQLite metadata database, serializes the given DAG files and
starts `airflow api-server` on a free port with SimpleAuthManager users (through a test
double with per-DAG grants, registered with Airflow's own `[core] auth_manager` setting).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support.server import free_port
from tests.support.wheel import PROJECT_DIR, create_venv, pip_install

# CI runs the plugin on 3.3.2; TEST_AIRFLOW_VERSION=3.1.8 (any 3.1+) runs it on another.
AIRFLOW_VERSION = os.environ.get("TEST_AIRFLOW_VERSION", "3.3.2")
VENV_DIR = PROJECT_DIR / ".cache" / f"airflow-{AIRFLOW_VERSION}-venv"
COMPLETE_MARKER = ".complete"
AUTH_MANAGER_PATH = Path(__file__).parent / "airflow_plugins_path"
AUTH_MANAGER = "bfg_dag_grants_auth_manager.DagGrantsAuthManager"
START_TIMEOUT = 120


def airflow_venv() -> Path:
    """The cached Airflow venv's bin directory, installed first if needed."""
    VENV_DIR.parent.mkdir(parents=True, exist_ok=True)
    with open(VENV_DIR.parent / f"{VENV_DIR.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two test runs never install at once
        if not (VENV_DIR / COMPLETE_MARKER).exists():
            shutil.rmtree(VENV_DIR, ignore_errors=True)
            create_venv(VENV_DIR, f"apache-airflow=={AIRFLOW_VERSION}")
            (VENV_DIR / COMPLETE_MARKER).touch()
    return VENV_DIR / "bin"


def install_wheel(bin_dir: Path, wheel: Path) -> None:
    pip_install(bin_dir, str(wheel))  # the gateway's dependencies, when missing
    pip_install(bin_dir, "--no-deps", "--force-reinstall", str(wheel))  # this build


@dataclass
class AirflowServer:
    base_url: str
    home: Path
    database: Path
    log: Path


def _run(bin_dir: Path, env: dict, *args: str, timeout: float = 300) -> None:
    result = subprocess.run(
        [str(bin_dir / "airflow"), *args], env=env, capture_output=True, text=True,
        timeout=timeout,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(
            f"airflow {' '.join(args)}: {result.stdout[-3000:]}{result.stderr[-3000:]}"
        )


@contextmanager
def running_airflow(
    bin_dir: Path,
    home: Path,
    *,
    users: dict[str, tuple[str, str]],
    dag_files: dict[str, str],
    dag_grants: dict[str, dict[str, list[str]]],
) -> Iterator[AirflowServer]:
    """`users`: name -> (role, password); `dag_files`: file name -> source."""
    dags = home / "dags"
    dags.mkdir(parents=True)
    for name, source in dag_files.items():
        (dags / name).write_text(source)
    passwords = home / "passwords.json"
    passwords.write_text(json.dumps({name: password for name, (_, password) in users.items()}))
    database = home / "airflow.db"
    env = {
        k: v for k, v in os.environ.items()
        if not k.startswith(("AIRFLOW", "GATEWAY_")) and k not in ("DATABASE_URL", "PYTHONPATH")
    }  # fmt: skip
    env.update(
        AIRFLOW_HOME=str(home),
        PYTHONPATH=str(AUTH_MANAGER_PATH),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__CORE__DAGS_FOLDER=str(dags),
        AIRFLOW__CORE__AUTH_MANAGER=AUTH_MANAGER,
        AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS=",".join(
            f"{name}:{role}" for name, (role, _) in users.items()
        ),
        AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE=str(passwords),
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{database}",
        AIRFLOW__API_AUTH__JWT_SECRET="plugin-test-jwt-secret-0123456789abcdef",
        AIRFLOW__API__SECRET_KEY="plugin-test-api-secret",
        BFG_TEST_DAG_GRANTS=json.dumps(dag_grants),
    )
    _run(bin_dir, env, "db", "migrate")
    _run(bin_dir, env, "dags", "reserialize")
    port = free_port()
    log = home / "api-server.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [str(bin_dir / "airflow"), "api-server", "--port", str(port), "-H", "127.0.0.1"],
            env=env, stdout=output, stderr=subprocess.STDOUT, cwd=home,
            start_new_session=True,  # its workers share the group: stopped together
        )  # fmt: skip
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"airflow api-server exited: {log.read_text()[-4000:]}")
            try:
                if httpx.get(f"{base_url}/api/v2/monitor/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"airflow api-server not ready: {log.read_text()[-4000:]}")
            time.sleep(0.3)
        yield AirflowServer(base_url, home, database, log)
    finally:
        _stop(process)


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM to the server's process group (its workers too), SIGKILL if it lingers."""
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, None)):
        with suppress(ProcessLookupError):  # already gone
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue
