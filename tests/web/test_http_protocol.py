"""web/http_protocol.py: a response's head and body in one write, nothing held for long.

The first tests watch a real server through real TCP: the client's TCP_INFO counts the
data segments each response arrived in. The others drive the protocol over a transport
that records its writes, for the cases a GraphQL request does not reach: a streaming
response, HEAD, `100 Continue`, pipelining, `Connection: close`.
"""

from __future__ import annotations

import asyncio
import socket
import struct
import sys
from pathlib import Path

import pytest
from uvicorn import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from backfill_gateway.web.http_protocol import OneWriteHttpToolsProtocol
from tests.support.server import UVICORN, running_server

QUERY = b'{"query": "{ backfills(first: 2) { nodes { backfillId dagId } } }"}'
# struct tcp_info's tcpi_data_segs_in (Linux 4.6+): segments received that carried data.
TCPI_DATA_SEGS_IN = 152


def _request(path: str, body: bytes = b"", method: str = "POST") -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nhost: gateway.test\r\ncontent-type: application/json\r\n"
    return f"{head}content-length: {len(body)}\r\n\r\n".encode() + body


def _read_response(client: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        data += client.recv(65536)
    head, body = data.split(b"\r\n\r\n", 1)
    lengths = [line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")]
    length = int(lengths[0].split(b":", 1)[1])
    while len(body) < length:
        body += client.recv(65536)
    return head + b"\r\n\r\n" + body


def _data_segments_per_response(url: str, request: bytes, count: int) -> list[int]:
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as client:

        def segments_in() -> int:
            info = client.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 256)
            return struct.unpack_from("I", info, TCPI_DATA_SEGS_IN)[0]

        counts = []
        for _ in range(count):
            before = segments_in()
            client.sendall(request)
            response = _read_response(client)
            assert response.startswith(b"HTTP/1.1 200 "), response[:200]
            counts.append(segments_in() - before)
        return counts


linux_only = pytest.mark.skipif(sys.platform != "linux", reason="TCP_INFO's layout is Linux's")


@linux_only
@pytest.mark.parametrize("workers", ["1", "2"])
def test_serve_sends_each_response_in_one_tcp_segment(tmp_path, workers):
    command = (str(Path(sys.executable).with_name("backfill-gateway")), "serve")
    env = {"GATEWAY_DEMO_DATABASE_PATH": str(tmp_path / "demo.sqlite")}
    with running_server(env, command=command, args=("--workers", workers)) as (url, _, _):
        # Connections of their own: with two workers, each may land on either.
        for _ in range(3):
            assert _data_segments_per_response(url, _request("/graphql", QUERY), 5) == [1] * 5
        assert _data_segments_per_response(url, _request("/healthz", method="GET"), 3) == [1] * 3


@linux_only
def test_uvicorn_from_the_checkout_takes_the_protocol_by_its_import_string(tmp_path):
    """running_server's default: `uvicorn app:app --http` IMPORT_STRING."""
    env = {"GATEWAY_DEMO_DATABASE_PATH": str(tmp_path / "demo.sqlite")}
    with running_server(env) as (url, _, _):
        assert _data_segments_per_response(url, _request("/graphql", QUERY), 5) == [1] * 5


@linux_only
def test_uvicorns_own_httptools_protocol_sends_head_and_body_apart(tmp_path):
    """The measure above can fail: uvicorn's protocol writes the head, then the body."""
    env = {"GATEWAY_DEMO_DATABASE_PATH": str(tmp_path / "demo.sqlite")}
    with running_server(env, command=(*UVICORN, "--http", "httptools")) as (url, _, _):
        counts = _data_segments_per_response(url, _request("/graphql", QUERY), 10)
    assert max(counts) == 2, counts


class RecordingTransport(asyncio.Transport):
    """What the protocol writes, in order; a write after close fails the test."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = False

    def get_extra_info(self, name, default=None):
        return {"sockname": ("127.0.0.1", 8000), "peername": ("127.0.0.1", 50000)}.get(
            name, default
        )

    def write(self, data) -> None:
        assert not self.closed, "written after close"
        self.writes.append(bytes(data))

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


def _connected(app, protocol_class=OneWriteHttpToolsProtocol):
    config = Config(app=app, lifespan="off", log_level="warning")
    config.load()
    protocol = protocol_class(config=config, server_state=ServerState(), app_state={})
    transport = RecordingTransport()
    protocol.connection_made(transport)
    return protocol, transport


async def _until(condition, turns: int = 100) -> None:
    for _ in range(turns):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("the protocol did not get there")


async def _hello(scope, receive, send) -> None:
    await receive()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain"), (b"content-length", b"5")]})  # fmt: skip
    await send({"type": "http.response.body", "body": b"hello"})


async def test_a_response_sent_at_once_is_one_write_of_what_uvicorn_writes_in_two():
    writes = {}
    for protocol_class in (HttpToolsProtocol, OneWriteHttpToolsProtocol):
        protocol, transport = _connected(_hello, protocol_class)
        protocol.data_received(_request("/", b"{}"))
        await _until(lambda t=transport: b"hello" in b"".join(t.writes))
        await asyncio.sleep(0)  # the held write's release: nothing left to write
        writes[protocol_class] = transport.writes
    assert len(writes[HttpToolsProtocol]) == 2
    assert writes[OneWriteHttpToolsProtocol] == [b"".join(writes[HttpToolsProtocol])]


async def test_a_streaming_responses_writes_go_out_in_the_same_loop_iteration():
    steps = [asyncio.Event(), asyncio.Event()]

    async def stream(scope, receive, send) -> None:
        await receive()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/event-stream")]})  # fmt: skip
        await steps[0].wait()
        await send({"type": "http.response.body", "body": b"data: 1\n\n", "more_body": True})
        await steps[1].wait()
        await send({"type": "http.response.body", "body": b"data: 2\n\n", "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    protocol, transport = _connected(stream)
    protocol.data_received(_request("/", b"{}"))
    await _until(lambda: transport.writes)
    assert len(transport.writes) == 1
    assert transport.writes[0].startswith(b"HTTP/1.1 200 OK\r\n")
    assert transport.writes[0].endswith(b"transfer-encoding: chunked\r\n\r\n")
    steps[0].set()
    await _until(lambda: len(transport.writes) == 2)
    assert transport.writes[1] == b"9\r\ndata: 1\n\n\r\n"
    steps[1].set()
    await _until(lambda: len(transport.writes) == 3)
    # The last event and the end of the stream, sent in one step, in one write.
    assert transport.writes[2] == b"9\r\ndata: 2\n\n\r\n0\r\n\r\n"
    await asyncio.sleep(0)
    assert len(transport.writes) == 3


async def test_a_head_response_is_written_at_once():
    protocol, transport = _connected(_hello)
    protocol.data_received(_request("/", method="HEAD"))
    await _until(lambda: transport.writes)
    # Written by the app's start itself, not by the release at the end of the iteration.
    assert protocol.cycle.transport is transport
    assert transport.writes[0].startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"hello" not in b"".join(transport.writes)


async def test_100_continue_is_not_held_until_the_response():
    protocol, transport = _connected(_hello)
    head = _request("/", b"{}").split(b"\r\n\r\n")[0] + b"\r\nexpect: 100-continue\r\n\r\n"
    protocol.data_received(head)
    await _until(lambda: transport.writes)
    assert transport.writes == [b"HTTP/1.1 100 Continue\r\n\r\n"]
    protocol.data_received(b"{}")
    await _until(lambda: b"hello" in b"".join(transport.writes))
    assert len(transport.writes) == 2 and transport.writes[1].startswith(b"HTTP/1.1 200 OK")


async def test_pipelined_responses_are_written_in_order_one_write_each():
    async def echo_path(scope, receive, send) -> None:
        await receive()
        body = scope["path"].encode()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-length", str(len(body)).encode())]})  # fmt: skip
        await send({"type": "http.response.body", "body": body})

    protocol, transport = _connected(echo_path)
    protocol.data_received(_request("/first", b"{}") + _request("/second", b"{}"))
    await _until(lambda: len(transport.writes) == 2)
    await asyncio.sleep(0)
    assert [write.rsplit(b"\r\n\r\n", 1)[1] for write in transport.writes] == [b"/first", b"/second"]


async def test_connection_close_writes_the_whole_response_before_closing():
    protocol, transport = _connected(_hello)
    request = _request("/", b"{}").replace(b"host:", b"connection: close\r\nhost:")
    protocol.data_received(request)
    await _until(lambda: transport.closed)
    assert len(transport.writes) == 1
    assert transport.writes[0].endswith(b"\r\n\r\nhello")
    assert b"connection: close" in transport.writes[0]


async def test_shutting_down_writes_what_the_last_write_left_held_before_closing():
    async def silent(scope, receive, send) -> None:
        await asyncio.Event().wait()  # the test writes the response through the cycle

    protocol, transport = _connected(silent)
    protocol.data_received(_request("/", b"{}"))
    await asyncio.sleep(0)
    cycle = protocol.cycle
    await cycle.send({"type": "http.response.start", "status": 200, "headers": []})
    await _until(lambda: transport.writes)
    # The end of the stream, alone in its step: held, and the response is complete.
    await cycle.send({"type": "http.response.body", "body": b"", "more_body": False})
    assert cycle.response_complete and len(transport.writes) == 1
    protocol.shutdown()
    assert transport.closed
    assert transport.writes[1:] == [b"0\r\n\r\n"]
    for task in protocol.tasks:
        task.cancel()
