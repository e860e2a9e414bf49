"""The REST channel's hot path as plain ASGI: `POST /api/v1/conversations/{id}/messages`.

Every citizen message of every REST client comes through this one route. Through Starlette's
middleware and routing and FastAPI's dependency solving and body parsing it cost about 0.8 ms
per message on this machine (measured between requests a few seconds apart, the way citizens
write), a quarter of all the time the gateway adds to Rasa's own. This middleware serves the
common case directly, with the same pieces the FastAPI route uses (`MessageIn`, `api_key_of`,
`send_message`, `error_response`), and passes everything else to the app unchanged, so the
route in channels/rest.py stays the one definition of the API (OpenAPI, validation errors,
401s): a request the fast path does not take (no valid key, not JSON, a body that does not
validate, a malformed id) reaches FastAPI exactly as it arrived.
"""

from __future__ import annotations

import re

from pydantic import ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_response
from bot.gateway import Gateway
from channels.rest import CONVERSATION_ID, MessageIn, api_key_of, send_message

_PATH = re.compile(rf"/api/v1/conversations/({CONVERSATION_ID})/messages")


class RestFastPath:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        taken = _take(scope)
        if taken is None:
            await self.app(scope, receive, send)
            return
        gw, conversation_id, key = taken
        raw, more = await _read_body(receive)
        try:
            body = MessageIn.model_validate_json(raw) if not more else None
        except ValidationError:
            body = None
        if body is None:  # FastAPI answers it (422 with its details): replay what was read
            await self.app(scope, _replay(raw, more, receive), send)
            return
        try:
            content, extra = await send_message(gw, conversation_id, key, body)
        except Exception as exc:
            response = error_response(exc)
            if response is None:
                raise
            await response(scope, receive, send)
            return
        head = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(content)).encode()),
            *((name.lower().encode(), value.encode()) for name, value in extra.items()),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": head})
        await send({"type": "http.response.body", "body": content})


def _take(scope: Scope) -> tuple[Gateway, str, str] | None:
    """(gateway, conversation id, API key) when this request is the fast path's to serve: a
    POST to the message route with a valid key and a JSON body; None leaves it to the app."""
    if scope["type"] != "http" or scope["method"] != "POST" or scope.get("root_path"):
        return None
    match = _PATH.fullmatch(scope["path"])
    gw: Gateway | None = getattr(scope["app"].state, "gateway", None)
    if match is None or gw is None:
        return None
    headers = _headers(scope)
    key = api_key_of(gw, headers.get(b"authorization", b"").decode("latin-1"))
    if key is None or not _is_json(headers.get(b"content-type", b"")):
        return None
    return gw, match.group(1), key


def _headers(scope: Scope) -> dict[bytes, bytes]:
    out: dict[bytes, bytes] = {}
    for name, value in scope["headers"]:
        out.setdefault(name, value)  # the first of a repeated header, as Starlette reads it
    return out


def _is_json(content_type: bytes) -> bool:
    return content_type.partition(b";")[0].strip().lower() == b"application/json"


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    """The whole body; `more` is True when the client disconnected before the end of it."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), True
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), False


def _replay(raw: bytes, disconnected: bool, receive: Receive) -> Receive:
    """A receive() that gives the app the body already read, then the real stream."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            if disconnected:
                return {"type": "http.disconnect"}
            return {"type": "http.request", "body": raw, "more_body": False}
        return await receive()

    return replay
