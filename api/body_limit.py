"""Refuses request bodies over a size limit before any route reads them.

A plain ASGI middleware (Starlette's `@app.middleware("http")` wraps every request in extra
tasks and streams; on the message path that was measurable). A declared Content-Length over the
limit is answered 413 at once; a body without one (chunked) is counted as it arrives and
answered 413 as soon as it passes the limit, so nothing reads an oversized body either way.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from common.errors import InvalidInput


class BodyTooLarge(InvalidInput):
    pass


def _error(limit: int) -> bytes:
    return json.dumps(
        {"error": {"code": "too_large", "message": f"request body over {limit} bytes"}}
    ).encode()


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = _content_length(scope)
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            await self._refuse(send)
            return
        seen = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise BodyTooLarge
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = _error(self.max_bytes)
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _content_length(scope: Scope) -> Any:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return value.decode("latin-1").strip()
    return None
