"""bot/rasa/http_lean.py, the gateway's keep-alive client to Rasa, against a real aiohttp server."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from bot.errors import RasaUnavailable
from bot.rasa.client import RasaClient
from bot.rasa.http_lean import LeanHttp, LeanHttpError
from tests.conftest import free_port


class Server:
    def __init__(self) -> None:
        self.peers: list[int] = []  # the client port of each request: which connection
        self.runner: web.AppRunner | None = None
        self.port = free_port()

    async def start(self, keepalive_timeout: float = 75.0) -> None:
        app = web.Application()
        app.router.add_post("/prefix/echo", self.echo)
        app.router.add_post("/prefix/chunked", self.chunked)
        app.router.add_post("/prefix/close", self.close)
        app.router.add_post("/prefix/slow", self.slow)
        app.router.add_post("/prefix/broken", self.broken)
        app.router.add_get("/prefix/status", self.status)
        self.runner = web.AppRunner(app, keepalive_timeout=keepalive_timeout)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        assert self.runner is not None
        await self.runner.cleanup()

    def _seen(self, request: web.Request) -> None:
        assert request.transport is not None
        self.peers.append(request.transport.get_extra_info("peername")[1])

    async def echo(self, request: web.Request) -> web.Response:
        self._seen(request)
        body = await request.read()
        return web.json_response(
            {
                "body": json.loads(body),
                "host": request.headers["Host"],
                "type": request.headers["Content-Type"],
            }
        )

    async def chunked(self, request: web.Request) -> web.StreamResponse:
        self._seen(request)
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        for part in (b'[{"text": "one', b" and ", b'two"}]'):
            await response.write(part)
            await asyncio.sleep(0.01)
        await response.write_eof()
        return response

    async def close(self, request: web.Request) -> web.Response:
        self._seen(request)
        return web.Response(body=b"bye", headers={"Connection": "close"})

    async def slow(self, request: web.Request) -> web.Response:
        self._seen(request)
        await asyncio.sleep(float(request.query.get("s", "0.5")))
        return web.Response(body=b"late")

    async def broken(self, request: web.Request) -> web.Response:
        self._seen(request)
        assert request.transport is not None
        request.transport.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial")
        request.transport.close()
        await asyncio.sleep(0.1)
        return web.Response()

    async def status(self, request: web.Request) -> web.Response:
        self._seen(request)
        return web.Response(status=503, body=b"down")


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    s = Server()
    await s.start()
    yield s
    await s.stop()


async def test_a_post_arrives_as_sent_and_the_connection_is_kept(server: Server) -> None:
    client = LeanHttp(f"http://127.0.0.1:{server.port}/prefix/")
    for i in range(3):
        status, raw = await client.request("POST", "/echo", json.dumps({"n": i}).encode(), 5)
        assert status == 200
        assert json.loads(raw) == {
            "body": {"n": i},
            "host": f"127.0.0.1:{server.port}",
            "type": "application/json",
        }
    assert len(set(server.peers)) == 1  # one connection, reused
    status, raw = await client.request("GET", "/status", None, 5)
    assert (status, raw) == (503, b"down")
    assert len(set(server.peers)) == 1
    client.close()


async def test_a_chunked_answer_is_read_whole(server: Server) -> None:
    client = LeanHttp(f"http://127.0.0.1:{server.port}/prefix")
    status, raw = await client.request("POST", "/chunked", b"{}", 5)
    assert (status, json.loads(raw)) == (200, [{"text": "one and two"}])
    await client.request("POST", "/echo", b"{}", 5)
    assert len(set(server.peers)) == 1
    client.close()


async def test_connection_close_and_idle_connections_are_not_reused(server: Server) -> None:
    client = LeanHttp(f"http://127.0.0.1:{server.port}/prefix", keepalive_s=0.2)
    assert await client.request("POST", "/close", b"{}", 5) == (200, b"bye")
    await client.request("POST", "/echo", b"{}", 5)
    assert server.peers[0] != server.peers[1]  # the server said close: a new connection
    await asyncio.sleep(0.3)  # idle longer than keepalive_s
    await client.request("POST", "/echo", b"{}", 5)
    assert len(set(server.peers)) == 3
    client.close()


async def test_a_connection_the_server_closed_while_idle_is_not_used() -> None:
    server = Server()
    await server.start(keepalive_timeout=0.1)  # the server drops idle connections first
    try:
        client = LeanHttp(f"http://127.0.0.1:{server.port}/prefix")
        await client.request("POST", "/echo", b"{}", 5)
        await asyncio.sleep(0.4)
        assert await client.request("POST", "/echo", b"[1]", 5) == (
            200,
            json.dumps({"body": [1], "host": f"127.0.0.1:{server.port}",
                        "type": "application/json"}).encode(),
        )  # fmt: skip
        assert len(set(server.peers)) == 2
        client.close()
    finally:
        await server.stop()


async def test_a_timed_out_or_cancelled_request_never_answers_the_next_one(server: Server) -> None:
    client = LeanHttp(f"http://127.0.0.1:{server.port}/prefix")
    with pytest.raises(TimeoutError):
        await client.request("POST", "/slow?s=0.5", b"{}", 0.1)
    task = asyncio.create_task(client.request("POST", "/slow?s=0.3", b"{}", 5))
    await asyncio.sleep(0.1)
    task.cancel()
    await asyncio.sleep(0.5)  # both late answers have been sent by now
    status, raw = await client.request("POST", "/echo", b'{"mine": 1}', 5)
    assert status == 200 and json.loads(raw)["body"] == {"mine": 1}
    assert len(set(server.peers)) == 3  # the broken-off connections were not reused
    client.close()


async def test_concurrent_requests_each_get_their_own_answer(server: Server) -> None:
    client = LeanHttp(f"http://127.0.0.1:{server.port}/prefix", limit=8)
    results = await asyncio.gather(
        *(client.request("POST", "/echo", json.dumps({"i": i}).encode(), 10) for i in range(60))
    )
    assert [json.loads(raw)["body"]["i"] for _, raw in results] == list(range(60))
    assert len(set(server.peers)) <= 8  # never more than `limit` in flight
    client.close()


async def test_failures_are_clear_errors(server: Server) -> None:
    client = LeanHttp(f"http://127.0.0.1:{server.port}/prefix")
    with pytest.raises(LeanHttpError, match="closed before the response ended"):
        await client.request("POST", "/broken", b"{}", 5)
    nobody = LeanHttp(f"http://127.0.0.1:{free_port()}")
    with pytest.raises(LeanHttpError, match="cannot connect"):
        await nobody.request("POST", "/x", b"{}", 5)
    assert await client.request("POST", "/echo", b"{}", 5) == (
        200,
        json.dumps({"body": {}, "host": f"127.0.0.1:{server.port}",
                    "type": "application/json"}).encode(),
    )  # fmt: skip
    with pytest.raises(ValueError):
        LeanHttp("https://rasa.example.org")
    client.close()


async def test_garbage_instead_of_http_is_an_error() -> None:
    async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(100)
        writer.write(b"this is not HTTP at all\r\n\r\n")
        await writer.drain()

    port = free_port()
    srv = await asyncio.start_server(garbage, "127.0.0.1", port)
    try:
        with pytest.raises(LeanHttpError, match="unreadable"):
            await LeanHttp(f"http://127.0.0.1:{port}").request("POST", "/", b"{}", 5)
    finally:
        srv.close()


async def test_the_rasa_client_turns_every_failure_into_rasa_unavailable(server: Server) -> None:
    rasa = RasaClient(f"http://127.0.0.1:{server.port}/prefix", 0.2)
    assert rasa.lean is not None
    rasa.lean.prefix = "/prefix/slow?s=1&x="  # any path answers too late
    with pytest.raises(RasaUnavailable, match="TimeoutError"):
        await rasa.send("someone", "hello", {})
    down = RasaClient(f"http://127.0.0.1:{free_port()}", 2.0)
    with pytest.raises(RasaUnavailable, match="LeanHttpError"):
        await down.send("someone", "hello", {})
    await rasa.close()
    await down.close()


async def test_the_bench_floor_forwards_with_the_same_client(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """bench/proxy_floor.py (the bench's bare forwarder) passes body and status through."""
    from bench import proxy_floor

    monkeypatch.setenv("RASA_URL", f"http://127.0.0.1:{server.port}/prefix")
    monkeypatch.setattr(proxy_floor, "_client", None)
    chunks = [{"type": "http.request", "body": b'{"sender": ', "more_body": True},
              {"type": "http.request", "body": b'"x"}', "more_body": False}]  # fmt: skip
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return chunks.pop(0)

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    await proxy_floor.app({"type": "http", "path": "/echo"}, receive, send)
    assert sent[0]["status"] == 200
    assert json.loads(sent[1]["body"])["body"] == {"sender": "x"}  # type: ignore[arg-type]
    assert proxy_floor._client is not None
    proxy_floor._client.close()
