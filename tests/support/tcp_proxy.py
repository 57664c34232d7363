"""A TCP proxy the tests control, between the gateway and a database server.

Stopping it closes the listening socket and cuts every open connection, as a
database that went away would; starting it again on the same port is the
database coming back. The real server is never touched, so other users of it
are not disturbed.
"""

from __future__ import annotations

import asyncio
import contextlib


class TcpProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._upstream_ports: set[int] = set()

    @property
    def upstream_ports(self) -> set[int]:
        """Local ports of the proxy's open connections to the server (its clients there)."""
        return set(self._upstream_ports)

    async def start(self) -> None:
        self._server = await asyncio.start_server(
            self._accept, "127.0.0.1", self.port, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()
        self._upstream_ports.clear()
        await asyncio.sleep(0.05)

    async def _accept(self, client_reader, client_writer) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client_writer.transport.abort()
            return
        port = upstream_writer.get_extra_info("sockname")[1]
        self._upstream_ports.add(port)
        self._writers.update({client_writer, upstream_writer})
        try:
            await asyncio.gather(
                self._pipe(client_reader, upstream_writer), self._pipe(upstream_reader, client_writer)
            )
        finally:
            self._upstream_ports.discard(port)
            for writer in (client_writer, upstream_writer):
                self._writers.discard(writer)
                writer.transport.abort()

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.transport.abort()
