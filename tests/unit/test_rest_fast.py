"""channels/rest_fast.py: the message route served as plain ASGI, everything else passed on.

The router here is a recording stand-in (the real one runs in tests/integration, where every
citizen message of the suite goes through this fast path): these tests pin which requests the
fast path takes, what it answers, and that a request it declines reaches the app unchanged.
"""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace
from typing import Any

import pytest

from bot.conversation.ratelimit import RateLimited
from bot.errors import InvalidMessage, RasaUnavailable
from bot.messages import ConversationState, IncomingMessage, OutgoingMessage, Reply
from channels.rest_fast import RestFastPath

KEY = "k" * 20
PATH = "/api/v1/conversations/abc-1/messages"


class Router:
    def __init__(self, fail: Exception | None = None) -> None:
        self.calls: list[tuple[str, IncomingMessage, dict[str, str]]] = []
        self.fail = fail

    async def handle(
        self, identity: str, message: IncomingMessage, remember: dict[str, str]
    ) -> Reply:
        self.calls.append((identity, message, remember))
        if self.fail is not None:
            raise self.fail
        state = ConversationState("bot", "en", False, None, None)
        return Reply((OutgoingMessage(text=f"echo {message.text}", id=7),), state)


class Downstream:
    """The rest of the app: records what reached it, answers 299."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        self.bodies.append(body)
        await send({"type": "http.response.start", "status": 299, "headers": []})
        await send({"type": "http.response.body", "body": b"app"})


def call(
    body: bytes,
    *,
    router: Router | None = None,
    path: str = PATH,
    method: str = "POST",
    key: str = KEY,
    content_type: bytes = b"application/json",
    chunks: int = 1,
) -> tuple[int, dict[bytes, bytes], bytes, Downstream, Router]:
    router = router or Router()
    gateway = SimpleNamespace(settings=SimpleNamespace(api_keys=(KEY,)), router=router)
    app = SimpleNamespace(state=SimpleNamespace(gateway=gateway))
    downstream = Downstream()
    size = max(1, -(-len(body) // chunks))
    pending = [body[i : i + size] for i in range(0, len(body), size)] or [b""]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        chunk = pending.pop(0) if pending else b""
        return {"type": "http.request", "body": chunk, "more_body": bool(pending)}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    headers = [(b"authorization", f"Bearer {key}".encode()), (b"content-type", content_type)]
    scope = {"type": "http", "method": method, "path": path, "headers": headers, "app": app}
    asyncio.run(RestFastPath(downstream)(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    out = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], dict(start["headers"]), out, downstream, router


def test_a_message_is_answered_without_the_app() -> None:
    status, headers, out, downstream, router = call(
        json.dumps({"text": "hello", "lang": "en"}).encode(), chunks=3
    )
    assert status == 200 and downstream.bodies == []
    assert headers[b"content-type"] == b"application/json"
    assert int(headers[b"content-length"]) == len(out)
    assert headers[b"server-timing"].startswith(b"rasa;dur=")
    reply = json.loads(out)
    assert reply["messages"][0]["text"] == "echo hello" and reply["messages"][0]["from"] == "bot"
    assert reply["state"]["mode"] == "bot"
    identity, incoming, remember = router.calls[0]
    assert identity == "rest:abc-1" and incoming.lang == "en" and incoming.channel == "rest"
    # the REST client that writes in the conversation is remembered with the turn, by a hash
    assert list(remember) == ["civic:rest:client:abc-1"]
    assert KEY not in next(iter(remember.values()))


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"key": "w" * 20}, "a wrong API key: FastAPI answers 401"),
        ({"content_type": b"text/plain"}, "not JSON"),
        ({"path": "/api/v1/conversations/a%2Fb/messages"}, "an id FastAPI refuses"),
        ({"path": "/api/v1/conversations/" + "x" * 129 + "/messages"}, "an id too long"),
        ({"method": "GET"}, "another method"),
        ({"path": "/api/v1/cases"}, "another route"),
    ],
)
def test_requests_it_does_not_take_reach_the_app_unchanged(
    change: dict[str, Any], why: str
) -> None:
    body = b'{"text": "hello"}'
    status, _, out, downstream, router = call(body, **change)
    assert (status, out) == (299, b"app"), why
    assert downstream.bodies == [body] and router.calls == []


@pytest.mark.parametrize(
    "body",
    [b'{"text": "hi", "lang": "fr"}', b"[1, 2]", b"{not json", b"\xff\xfe", b""],
)
def test_an_invalid_body_is_replayed_to_the_app_for_its_422(body: bytes) -> None:
    status, _, _, downstream, router = call(body, chunks=2)
    assert status == 299 and downstream.bodies == [body] and router.calls == []


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (InvalidMessage("message too long", 413), 413, "too_large"),
        (InvalidMessage("empty message"), 422, "invalid_message"),
        (RateLimited("zh", 12), 429, "rate_limited"),
        (RasaUnavailable("down"), 503, "unavailable"),
    ],
)
def test_errors_of_the_turn_get_the_apps_json_errors(
    error: Exception, status: int, code: str
) -> None:
    got, headers, out, downstream, _ = call(b'{"text": "x"}', router=Router(error))
    assert got == status and downstream.bodies == []
    assert json.loads(out)["error"]["code"] == code
    if status == 429:
        assert headers[b"retry-after"] == b"12" and "太快" in json.loads(out)["error"]["message"]


def test_an_unexpected_error_is_not_swallowed() -> None:
    with pytest.raises(ZeroDivisionError):
        call(b'{"text": "x"}', router=Router(ZeroDivisionError()))
