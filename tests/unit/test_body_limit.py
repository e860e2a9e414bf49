"""api/body_limit.py: oversized bodies are refused with a JSON 413, declared or streamed."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from api.body_limit import BodyLimit


async def _echo(scope: Any, receive: Any, send: Any) -> None:
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": str(len(body)).encode()})


def _call(chunks: list[bytes], headers: list[tuple[bytes, bytes]]) -> tuple[int, bytes]:
    sent: list[dict[str, Any]] = []
    pending = list(chunks)

    async def receive() -> dict[str, Any]:
        body = pending.pop(0) if pending else b""
        return {"type": "http.request", "body": body, "more_body": bool(pending)}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/", "headers": headers}
    asyncio.run(BodyLimit(_echo, max_bytes=10)(scope, receive, send))
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, body


def test_small_body_passes() -> None:
    assert _call([b"hello"], [(b"content-length", b"5")]) == (200, b"5")


def test_declared_length_over_the_limit_is_refused_unread() -> None:
    status, body = _call([b"x" * 11], [(b"content-length", b"11")])
    assert status == 413 and json.loads(body)["error"]["code"] == "too_large"


def test_malformed_length_is_refused() -> None:
    assert _call([b"x"], [(b"content-length", b"-1")])[0] == 413


def test_streamed_body_without_length_is_cut_at_the_limit() -> None:
    status, body = _call([b"x" * 6, b"x" * 6, b"x" * 6], [])
    assert status == 413 and json.loads(body)["error"]["code"] == "too_large"
    assert _call([b"x" * 5, b"x" * 5], []) == (200, b"10")
