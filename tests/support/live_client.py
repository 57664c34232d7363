"""Subscription clients for tests: graphql-transport-ws (websockets) and graphql-sse (httpx)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import websockets

SUBPROTOCOL = "graphql-transport-ws"


class TransportWSClient:
    """One graphql-transport-ws connection; answers the server's pings."""

    def __init__(self, socket) -> None:
        self.socket = socket
        self.pings = 0
        self._next_id = 0

    @classmethod
    @asynccontextmanager
    async def connect(
        cls, base_url: str, payload: dict | None = None, headers: dict | None = None,
        path: str = "/graphql",
    ) -> AsyncIterator[TransportWSClient]:  # fmt: skip
        url = base_url.replace("http://", "ws://") + path
        async with websockets.connect(
            url, subprotocols=[SUBPROTOCOL], additional_headers=headers or {}
        ) as socket:  # fmt: skip
            client = cls(socket)
            await client.send({"type": "connection_init", "payload": payload or {}})
            ack = await client.receive(timeout=10)
            assert ack["type"] == "connection_ack", ack
            yield client

    async def send(self, message: dict) -> None:
        await self.socket.send(json.dumps(message))

    async def receive(self, timeout: float = 10) -> dict:
        """The next message other than a ping within `timeout` (pings are answered and
        counted)."""
        async with asyncio.timeout(timeout):
            while True:
                message = json.loads(await self.socket.recv())
                if message.get("type") != "ping":
                    return message
                self.pings += 1
                await self.send({"type": "pong"})

    async def subscribe(self, query: str, variables: dict | None = None) -> str:
        self._next_id += 1
        operation_id = str(self._next_id)
        payload = {"query": query, **({"variables": variables} if variables else {})}
        await self.send({"id": operation_id, "type": "subscribe", "payload": payload})
        return operation_id

    async def complete(self, operation_id: str) -> None:
        await self.send({"id": operation_id, "type": "complete"})

    async def events(self, count: int, timeout: float = 10) -> list[dict]:
        return [await self.receive(timeout) for _ in range(count)]

    async def silent_for(self, seconds: float) -> bool:
        """Whether nothing but pings arrived within `seconds`."""
        try:
            message = await self.receive(timeout=seconds)
        except TimeoutError:
            return True
        raise AssertionError(f"unexpected message: {message}")


class SSEClient:
    """graphql-sse, distinct-connections mode: one POST per subscription, events read
    from the response stream."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.comments = 0
        self._lines = response.aiter_lines()

    @classmethod
    @asynccontextmanager
    async def subscribe(
        cls, base_url: str, query: str, variables: dict | None = None,
        headers: dict | None = None,
    ) -> AsyncIterator[SSEClient]:  # fmt: skip
        body = {"query": query, **({"variables": variables} if variables else {})}
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
            async with http.stream(
                "POST", "/graphql", json=body,
                headers={"accept": "text/event-stream", **(headers or {})},
            ) as response:  # fmt: skip
                yield cls(response)

    async def event(self, timeout: float = 10) -> tuple[str, dict | None]:
        """The next (event name, data); comments (heartbeats) are counted and skipped."""
        name, data = None, None
        async with asyncio.timeout(timeout):
            async for line in self._lines:
                if line.startswith(":"):
                    self.comments += 1
                elif line.startswith("event:"):
                    name = line.split(":", 1)[1].strip()
                elif line.startswith("data:"):
                    raw = line.split(":", 1)[1].strip()
                    data = json.loads(raw) if raw else None
                elif line == "" and name is not None:
                    return name, data
        raise EOFError("the event stream ended")
