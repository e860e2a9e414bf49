"""civic/http_server.py: a response's head and body in one write, nothing held or reordered."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
import uvicorn

from civic.http_server import HeadWithBody, OneWriteHttpToolsProtocol

HEAD = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n"


class Transport:
    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        assert not self.closed
        self.writes.append(bytes(data))

    def close(self) -> None:
        self.closed = True

    def get_extra_info(self, name: str) -> Any:
        return {"peername": ("127.0.0.1", 1)}.get(name)


def test_a_head_and_its_body_leave_in_one_write() -> None:
    async def go() -> Transport:
        real = Transport()
        transport = HeadWithBody(real, asyncio.get_running_loop())  # type: ignore[arg-type]
        transport.write(HEAD)
        assert real.writes == []
        transport.write(b"{}")
        await asyncio.sleep(0)
        return real

    assert asyncio.run(go()).writes == [HEAD + b"{}"]


def test_a_head_alone_leaves_at_the_end_of_the_loop_pass() -> None:
    async def go() -> Transport:
        real = Transport()
        transport = HeadWithBody(real, asyncio.get_running_loop())  # type: ignore[arg-type]
        transport.write(HEAD)
        await asyncio.sleep(0)
        assert real.writes == [HEAD]
        transport.write(b"data: 1\n\n")  # a stream's later event: written as it comes
        return real

    assert asyncio.run(go()).writes == [HEAD, b"data: 1\n\n"]


def test_other_writes_pass_and_close_flushes_first() -> None:
    async def go() -> Transport:
        real = Transport()
        transport = HeadWithBody(real, asyncio.get_running_loop())  # type: ignore[arg-type]
        transport.write(b"HTTP/1.1 100 Continue")  # not a whole head: passes at once
        assert real.writes == [b"HTTP/1.1 100 Continue"]
        transport.write(HEAD)
        transport.close()
        assert transport.get_extra_info("peername") == ("127.0.0.1", 1)
        return real

    real = asyncio.run(go())
    assert real.writes == [b"HTTP/1.1 100 Continue", HEAD] and real.closed


async def _serve(app: Any) -> tuple[uvicorn.Server, int]:
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, http=OneWriteHttpToolsProtocol, log_level="warning",
        lifespan="off",
    )  # fmt: skip
    server = uvicorn.Server(config)
    asyncio.get_running_loop().create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 (uvicorn has no event for it)
        await asyncio.sleep(0.01)
    return server, server.servers[0].sockets[0].getsockname()[1]


@pytest.mark.timeout(30)
def test_uvicorn_with_it_answers_and_streams() -> None:
    """A JSON reply, then a stream whose head must reach the client before its first event:
    the app sends that event only once the client has the head (held, it would hang)."""
    got_head = asyncio.Event()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        if scope["path"] == "/json":
            body = json.dumps({"ok": True}).encode()
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-length", str(len(body)).encode())]})  # fmt: skip
            await send({"type": "http.response.body", "body": body})
            return
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await got_head.wait()
        await send({"type": "http.response.body", "body": b"event", "more_body": False})

    async def go() -> tuple[bytes, bytes, bytes]:
        server, port = await _serve(app)
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"GET /json HTTP/1.1\r\nhost: x\r\n\r\n")
            head = await reader.readuntil(b"\r\n\r\n")
            body = await reader.readexactly(len(b'{"ok": true}'))
            writer.write(b"GET /stream HTTP/1.1\r\nhost: x\r\n\r\n")
            stream_head = await reader.readuntil(b"\r\n\r\n")
            got_head.set()
            rest = await reader.readuntil(b"0\r\n\r\n")
            writer.close()
            return head + body, stream_head, rest
        finally:
            server.should_exit = True
            await asyncio.sleep(0.2)

    reply, stream_head, rest = asyncio.run(go())
    assert reply.startswith(b"HTTP/1.1 200 OK") and reply.endswith(b'{"ok": true}')
    assert b"transfer-encoding: chunked" in stream_head
    assert rest == b"5\r\nevent\r\n0\r\n\r\n"
