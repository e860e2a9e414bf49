"""The gateway's client of Rasa's REST webhook against a local stand-in for Rasa (another
party): replies parsed, one kept-alive connection for consecutive turns, and every failure
(no answer in time, nobody listening, an error status, not JSON) a RasaUnavailable."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from bot.errors import RasaUnavailable
from bot.rasa.client import RasaClient
from tests.conftest import free_port


@pytest.fixture
async def rasa() -> AsyncIterator[tuple[str, list[object]]]:
    peers: list[object] = []
    never = asyncio.Event()

    async def webhook(request: web.Request) -> web.StreamResponse:
        body = await request.json()
        peers.append(request.transport.get_extra_info("peername") if request.transport else None)
        if body["message"] == "hang":
            await never.wait()
        if body["message"] == "fail":
            return web.Response(status=500)
        if body["message"] == "garble":
            return web.Response(text="<html>", content_type="text/html")
        reply = {
            "text": f"you said {body['message']}",
            "buttons": [{"title": "A", "payload": "/a"}],
        }
        return web.json_response([reply, {"custom": {"set": {"lang": "zh"}}}, "not a reply"])

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield f"http://127.0.0.1:{port}", peers
    never.set()
    await runner.cleanup()


async def test_replies_are_parsed_and_the_connection_is_kept(
    rasa: tuple[str, list[object]],
) -> None:
    url, peers = rasa
    client = RasaClient(url, 5.0)
    first = await client.send("someone", "hello", {"lang": "en"})
    await client.send("someone", "again", {"lang": "en"})
    await client.close()
    assert first[0].text == "you said hello" and first[0].buttons == (("A", "/a"),)
    assert first[1].custom == {"set": {"lang": "zh"}} and len(first) == 2
    assert len(peers) == 2 and peers[0] == peers[1]  # the same client port: kept alive


@pytest.mark.parametrize(("message", "reason"), [("hang", "TimeoutError"), ("fail", "HTTP 500"),
                                                 ("garble", "invalid JSON")])  # fmt: skip
async def test_every_failure_is_rasa_unavailable(
    rasa: tuple[str, list[object]], message: str, reason: str
) -> None:
    client = RasaClient(rasa[0], 0.5)
    with pytest.raises(RasaUnavailable, match=reason):
        await client.send("someone", message, {})
    await client.close()


async def test_nobody_listening_is_rasa_unavailable() -> None:
    client = RasaClient(f"http://127.0.0.1:{free_port()}", 2.0)
    with pytest.raises(RasaUnavailable, match="unreachable"):
        await client.send("someone", "hello", {})
    assert not await client.healthy()
    await client.close()
