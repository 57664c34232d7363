"""A real gateway server process (uvicorn) on a free port, for tests about the server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

PROJECT_DIR = Path(__file__).resolve().parents[2]
# Configuration the test process may carry that a server under test must not inherit.
INHERITED_CONFIG = ("DATABASE_URL", "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_server(
    env: dict[str, str],
    *,
    args: tuple[str, ...] = (),
    timeout: float = 60,
    command: tuple[str, ...] = (sys.executable, "-m", "uvicorn", "app:app"),
    cwd: Path = PROJECT_DIR,
) -> Iterator[tuple[str, subprocess.Popen, Path]]:
    """Start `uvicorn app:app` from the checkout (or `command` in `cwd`, given
    `--host` and `--port`); yield its base URL, process and log file; stop it after."""
    port = free_port()
    environment = {
        k: v for k, v in os.environ.items() if k not in INHERITED_CONFIG and not k.startswith("GATEWAY_")
    }
    environment.update(env)
    log_path = Path(env.get("TEST_SERVER_LOG", f"/tmp/gateway-test-{port}.log"))
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [*command, "--host", "127.0.0.1", "--port", str(port), *args],
            cwd=cwd, env=environment, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        base_url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + timeout
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"server exited: {log_path.read_text()[-3000:]}")
                try:
                    if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"server not ready: {log_path.read_text()[-3000:]}")
                time.sleep(0.1)
            yield base_url, process, log_path
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
