"""A TCP proxy the tests control, between the gateway and a database server.

Stopping it closes the listening socket and cuts every open connection, as a
database that went away would; starting it again on the same port is the
database coming back. The real server is never touched, so other users of it
are not disturbed.
"""

from __future__ import annotations

import asyncio
import contextlib
import re

# A COMMIT sent by the drivers: PostgreSQL's simple query ("COMMIT;" NUL-terminated,
# never the "READ COMMITTED" of a BEGIN) or MySQL's COM_QUERY packet (0x03 "COMMIT").
_COMMIT = re.compile(rb"COMMIT;?\x00|\x03COMMIT$")


class TcpProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._upstream_ports: set[int] = set()
        self._commit_cut: str | None = None
        self._armed_by: bytes | None = None
        self.commits_cut = 0

    def cut_next_commit(self, when: str, *, after: bytes) -> None:
        """Cut the connection that sends the first COMMIT after a statement containing
        `after`: "before" the server sees it (the transaction rolls back), or "after" (it
        commits, and the client never hears so)."""
        assert when in ("before", "after")
        self._commit_cut, self._armed_by = when, after

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
        reply_lost = asyncio.Event()  # the server's answer to a COMMIT is not relayed
        try:
            await asyncio.gather(
                self._pipe(client_reader, upstream_writer, client_writer, reply_lost),
                self._pipe(upstream_reader, client_writer, None, reply_lost),
            )
        finally:
            self._upstream_ports.discard(port)
            for writer in (client_writer, upstream_writer):
                self._writers.discard(writer)
                writer.transport.abort()

    async def _pipe(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        client_writer: asyncio.StreamWriter | None,
        reply_lost: asyncio.Event,
    ) -> None:
        """Copy one direction; `client_writer` is set on the client -> server direction."""
        with contextlib.suppress(ConnectionError, OSError):
            while data := await reader.read(65536):
                if client_writer is None and reply_lost.is_set():
                    break  # the server answered the COMMIT: the client never hears it
                if client_writer is not None and self._armed_by and self._armed_by in data:
                    self._armed_by = None
                elif (
                    client_writer is not None and self._commit_cut and self._armed_by is None
                    and _COMMIT.search(data)
                ):
                    when, self._commit_cut = self._commit_cut, None
                    self.commits_cut += 1
                    if when == "before":
                        break
                    reply_lost.set()
                writer.write(data)
                await writer.drain()
                if reply_lost.is_set() and client_writer is not None:
                    # Keep the server side open until it answered (the other direction
                    # then stops), so the COMMIT is not cut short by our own close.
                    await asyncio.sleep(0.5)
                    break
        writer.transport.abort()
        if client_writer is not None:
            client_writer.transport.abort()
