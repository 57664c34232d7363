"""uvicorn's httptools protocol, with each response's head and body sent in one write.

uvicorn writes a response's status line and headers when the app sends
`http.response.start`, and its body on `http.response.body`: two writes for every
response, two system calls and, with TCP_NODELAY, two TCP segments, which the client
reads apart. Node's HTTP server sends a response written at once as one. Measured on
Q3-first at c=16 (bench/README.md): 684-701 µs of worker CPU per request with two
writes, 627-660 µs with one; a segment on loopback also costs the sender the
receiver's TCP work.

Here a write is held until the next one, which joins it, or until the end of the event
loop's current iteration, whichever comes first. Starlette sends the body in the same
step of the task as the start, so a whole response becomes one write, and the write
that completes it is never held. What nothing follows in that step (a streaming
response's chunks, `100 Continue` before the app reads the request) goes out at the end
of the iteration, so nothing waits on a later write; closing the connection, or the
server shutting down, writes it first. A HEAD response has no body to join its head: it
is written at once.

`backfill-gateway serve` runs it; from a checkout,
`uvicorn app:app --http backfill_gateway.web.http_protocol:OneWriteHttpToolsProtocol`.
"""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

IMPORT_STRING = "backfill_gateway.web.http_protocol:OneWriteHttpToolsProtocol"


class HeldWrites:
    """One response's transport, as its request-response cycle writes to it: a write
    held until the next one joins it, or until the end of the loop's current iteration."""

    __slots__ = ("transport", "_loop", "_held", "_release_scheduled")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self.transport = transport
        self._loop = loop
        self._held: bytes | None = None
        self._release_scheduled = False

    def write(self, data: bytes) -> None:
        held = self._held
        if held is None:
            self._held = bytes(data)
            if not self._release_scheduled:
                self._release_scheduled = True
                self._loop.call_soon(self._release)
        else:
            self._held = None
            self.transport.write(held + data)

    def _release(self) -> None:
        self._release_scheduled = False
        self.flush()

    def flush(self) -> None:
        """Write what is held, if anything."""
        held, self._held = self._held, None
        if held is not None and not self.transport.is_closing():
            self.transport.write(held)

    def close(self) -> None:
        self.flush()
        self.transport.close()

    def is_closing(self) -> bool:
        return self.transport.is_closing()


class OneWriteHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol; each request's cycle writes through HeldWrites."""

    def on_headers_complete(self) -> None:
        previous = self.cycle
        super().on_headers_complete()
        cycle = self.cycle
        # A new cycle for this request (an upgrade to a WebSocket makes none); its task
        # has not run yet, so nothing has been written through its transport.
        if (
            cycle is not None
            and cycle is not previous
            and cycle.transport is self.transport
            and cycle.scope["method"] != "HEAD"
        ):
            cycle.transport = HeldWrites(self.transport, self.loop)

    def shutdown(self) -> None:
        # uvicorn closes the connection itself when its response is complete: what the
        # response's last write left held goes first.
        if self.cycle is not None and isinstance(self.cycle.transport, HeldWrites):
            self.cycle.transport.flush()
        super().shutdown()
