"""Several workers, each accepting on a listening socket of its own (Linux's SO_REUSEPORT).

uvicorn's `--workers` shares one listening socket between the workers: whichever worker
wakes first takes the connections waiting, and uvloop takes all it finds at once. A
client that keeps its connections open (a reverse proxy's keep-alive pool, a frontend
server's HTTP agent, a load generator) stays on the worker it landed on: opening 16
connections to two idle workers, 5 runs out of 20 put more than 80% of them on one
worker while the other idled (bench/README.md). With a listening socket per worker, all
bound to the same address with SO_REUSEPORT, the kernel spreads new connections over
the workers by their address and port.

`backfill-gateway serve --workers N` (N > 1, Linux) runs uvicorn's own supervisor (it
restarts a dead worker, handles signals) with no shared socket: each worker's event loop
(`new_event_loop`, uvicorn's custom loop option) listens itself, with SO_REUSEPORT.
"""

from __future__ import annotations

import asyncio
import socket
import sys

import uvicorn
from uvicorn.supervisors import Multiprocess

try:  # uvicorn[standard] installs uvloop where it runs; its "auto" loop prefers it
    from uvloop import Loop as _BaseLoop
except ImportError:  # pragma: no cover - e.g. Windows
    _BaseLoop = asyncio.SelectorEventLoop

LOOP = f"{__name__}:new_event_loop"


def available() -> bool:
    """Whether the kernel balances connections over SO_REUSEPORT listeners (Linux does;
    BSD and macOS give every connection to one of them)."""
    return sys.platform == "linux" and hasattr(socket, "SO_REUSEPORT")


class ReusePortLoop(_BaseLoop):
    """uvicorn's event loop, except that servers it opens on a host and port listen with
    SO_REUSEPORT: each worker's listener joins the others' on the same address."""

    async def create_server(self, protocol_factory, host=None, port=None, **kwargs):
        if kwargs.get("sock") is None:
            kwargs["reuse_port"] = True
        return await super().create_server(protocol_factory, host, port, **kwargs)


def new_event_loop() -> asyncio.AbstractEventLoop:
    """The loop factory named by `LOOP`, for uvicorn's `loop` option."""
    return ReusePortLoop()


def ensure_address_free(host: str, port: int) -> None:
    """Raise OSError if something listens on the address already. Listeners with
    SO_REUSEPORT would otherwise share it with another program of the same user (a
    second gateway started by mistake), each taking part of the connections. Bound here
    without SO_REUSEPORT, as uvicorn binds its shared socket, then released."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))


def run_workers(config: uvicorn.Config) -> None:
    """Serve with `config.workers` processes, each listening on its own socket."""
    # No sockets for the workers (None, not []): each worker's server then opens its
    # listener on config.host/port with config.loop, i.e. `ReusePortLoop`.
    Multiprocess(config, sockets=None).run()
