"""`backfill-gateway serve --workers N`: a listening socket per worker (SO_REUSEPORT).

A real server process with two workers: each listens on a socket of its own (read off
/proc, so the check does not depend on where connections happen to land), connections
reach both workers, a killed worker is replaced by one that listens again, and an
address already in use stops the command with the reason.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from backfill_gateway.web import worker_sockets
from tests.support.server import free_port, running_server
from tests.web.conftest import create_empty_airflow_sqlite

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not worker_sockets.available(), reason="SO_REUSEPORT balances on Linux only"),
]

SERVE = (str(Path(sys.executable).with_name("backfill-gateway")), "serve")
CONNECTIONS = 32


def listening_inodes(port: int) -> set[str]:
    """Inodes of the TCP sockets listening on `port` (state 0A in /proc/net/tcp)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":
                inodes.add(fields[9])
    return inodes


def socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    return inodes


def workers_of(pid: int) -> list[int]:
    """The worker processes of the server `pid` (not multiprocessing's resource tracker)."""
    workers = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            try:
                command = Path(f"/proc/{child}/cmdline").read_bytes()
            except OSError:
                continue  # gone meanwhile
            if b"spawn_main" in command:
                workers.append(int(child))
    return workers


def listeners_by_process(server_pid: int, port: int) -> dict[int, set[str]]:
    """Each process of the server (the supervisor, its workers) and the listening
    sockets on `port` it holds."""
    listening = listening_inodes(port)
    processes = [server_pid, *workers_of(server_pid)]
    return {pid: socket_inodes(pid) & listening for pid in processes}


def wait_for(condition, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


async def answer_on_fresh_connections(url: str, prefix: str) -> list[str]:
    """One request on each of CONNECTIONS connections opened at once (kept open until
    all answered, as a keep-alive pool would); their request ids."""
    ids = [f"{prefix}-{n}" for n in range(CONNECTIONS)]
    clients = [httpx.AsyncClient(base_url=url, timeout=30) for _ in ids]
    try:
        responses = await asyncio.gather(*(
            client.post("/graphql", json={"query": "{ backfills(first: 1) { totalCount } }"},
                        headers={"x-request-id": request_id})
            for client, request_id in zip(clients, ids, strict=True)
        ))  # fmt: skip
    finally:
        await asyncio.gather(*(client.aclose() for client in clients))
    assert [r.status_code for r in responses] == [200] * CONNECTIONS
    return ids


def pids_that_answered(log_path: Path, request_ids: list[str]) -> set[int]:
    wanted = set(request_ids)
    pids = set()
    for line in log_path.read_text().splitlines():
        if line.startswith("{"):
            entry = json.loads(line)
            if entry.get("logger") == "gateway.access" and entry.get("request_id") in wanted:
                pids.add(entry["pid"])
    return pids


async def test_each_worker_listens_on_its_own_socket_and_a_replacement_does_too(tmp_path):
    create_empty_airflow_sqlite(tmp_path / "airflow.sqlite")
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'airflow.sqlite'}"}
    with running_server(env, command=SERVE, args=("--workers", "2"), cwd=tmp_path) as (
        url, process, log_path,
    ):  # fmt: skip
        port = int(url.rsplit(":", 1)[1])
        wait_for(lambda: len(workers_of(process.pid)) == 2 and len(listening_inodes(port)) == 2)
        held = listeners_by_process(process.pid, port)
        # The supervisor holds no listener; each worker holds one, not the other's.
        assert held.pop(process.pid) == set()
        assert sorted(len(inodes) for inodes in held.values()) == [1, 1]
        assert len(set().union(*held.values())) == 2

        # 32 connections at once reach both workers (all on one: a chance of 2**-31).
        ids = await answer_on_fresh_connections(url, "spread")
        assert pids_that_answered(log_path, ids) == set(held)

        # A worker killed is replaced by uvicorn's supervisor, listening on a new socket.
        killed = next(iter(held))
        os.kill(killed, signal.SIGKILL)
        wait_for(
            lambda: killed not in workers_of(process.pid)
            and len(workers_of(process.pid)) == 2
            and len(listening_inodes(port)) == 2,
            timeout=60,
        )
        held = listeners_by_process(process.pid, port)
        assert held.pop(process.pid) == set()
        assert sorted(len(inodes) for inodes in held.values()) == [1, 1]
        ids = await answer_on_fresh_connections(url, "replaced")
        assert pids_that_answered(log_path, ids) == set(held)


def test_an_address_in_use_stops_serve_with_the_reason(tmp_path):
    port = free_port()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        finished = subprocess.run(
            [*SERVE, "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
            cwd=tmp_path, capture_output=True, text=True, timeout=60,
            env={k: v for k, v in os.environ.items() if not k.startswith(("GATEWAY_", "DATABASE_"))},
        )  # fmt: skip
    assert finished.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}: Address already in use" in finished.stderr


def test_servers_of_the_loop_share_an_address_and_a_given_socket_is_kept():
    loop = worker_sockets.new_event_loop()
    try:
        loop.run_until_complete(_servers_share_an_address())
    finally:
        loop.close()


async def _servers_share_an_address() -> None:
    loop = asyncio.get_running_loop()
    port = free_port()
    first = await loop.create_server(asyncio.Protocol, "127.0.0.1", port)
    second = await loop.create_server(asyncio.Protocol, "127.0.0.1", port)  # EADDRINUSE without
    with socket.socket() as given:
        given.bind(("127.0.0.1", 0))
        third = await loop.create_server(asyncio.Protocol, sock=given)  # no reuse_port added
        for server in (first, second, third):
            server.close()
            await server.wait_closed()
