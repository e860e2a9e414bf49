"""The web chat widget: a page, an embeddable script, and its WebSocket.

`GET /chat` is a full-page chat; `/static/chat/widget.js` embeds it in any page (see the
README). The browser connects to `/ws/chat?token=<web token>&after=<last message id seen>`:

- no or an invalid token: a new anonymous identity is issued in the `hello` frame, and
  `lang=` (the widget sends the browser's language) is the conversation's first language;
- `after=0` (a fresh page): the recent history is replayed, citizen messages included;
- `after=N` (a reconnect): every outgoing message after N is replayed, so nothing is lost;
  the browser ignores ids it has already shown, so nothing is shown twice.

Frames from the browser: `{"type": "message", "text", "payload"?}` and `{"type": "ping"}`.
Frames to the browser: `hello` {token, state}, `message` {message}, `typing` {on},
`state` {state}, `error` {message}, `pong`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from fastapi.responses import FileResponse
from redis.exceptions import RedisError

from bot.conversation.language import normalise
from bot.delivery.texts import text as say
from bot.errors import InvalidMessage, StoreUnavailable
from bot.gateway import Gateway
from bot.messages import ConversationState, IncomingMessage, OutgoingMessage
from channels import web_identity

log = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "static"
HISTORY = 100
MAX_FRAME_CHARS = 16_000


def message_frame(message: OutgoingMessage, history: bool = False) -> dict[str, Any]:
    return {
        "type": "message",
        "history": history,
        "message": {
            "id": message.id,
            "text": message.text,
            "from": message.sender,
            "buttons": [{"title": b.title, "payload": b.payload} for b in message.buttons],
            "created_at": message.created_at.isoformat(),
        },
    }


def state_frame(state: ConversationState) -> dict[str, Any]:
    return {
        "type": "state",
        "state": {
            "mode": state.mode,
            "lang": state.lang,
            "simple_mode": state.simple_mode,
            "queue_position": state.queue_position,
            "estimated_wait_s": state.estimated_wait_s,
        },
    }


class Connection:
    """One browser tab; its cursor makes pushes and direct replies never repeat a message."""

    def __init__(self, socket: WebSocket, identity: str, gw: Gateway, last_sent: int) -> None:
        self.socket = socket
        self.identity = identity
        self.gw = gw
        self.last_sent = last_sent
        self.lock = asyncio.Lock()

    async def send(self, frame: dict[str, Any]) -> None:
        with contextlib.suppress(RuntimeError, WebSocketDisconnect):
            await self.socket.send_json(frame)

    async def push_new(self) -> None:
        async with self.lock:
            citizen = await self.gw.sessions.resolve(self.identity)
            messages = await asyncio.to_thread(
                self.gw.transcript.outgoing_after, citizen, self.last_sent
            )
            for message in messages:
                await self.send(message_frame(message))
                self.last_sent = max(self.last_sent, message.id)

    async def replay_history(self) -> None:
        async with self.lock:
            citizen = await self.gw.sessions.resolve(self.identity)
            messages = await asyncio.to_thread(self.gw.transcript.recent, citizen, HISTORY)
            for message in messages:
                await self.send(message_frame(message, history=True))
                self.last_sent = max(self.last_sent, message.id)


class WebChannel:
    """Routes of the widget; also the delivery sink for `web:` identities on this replica."""

    def __init__(self) -> None:
        self.connections: dict[str, set[Connection]] = {}
        self.gateway: Gateway | None = None

    async def notify(self, channel_identity: str, citizen_id: str) -> None:
        for connection in list(self.connections.get(channel_identity, ())):
            await connection.push_new()

    def router(self) -> APIRouter:
        router = APIRouter(tags=["web chat"])

        @router.get("/chat", include_in_schema=False)
        async def page() -> FileResponse:
            return FileResponse(STATIC / "chat.html", media_type="text/html")

        @router.websocket("/ws/chat")
        async def chat(socket: WebSocket) -> None:
            await self.serve(socket)

        return router

    async def serve(self, socket: WebSocket) -> None:
        gw: Gateway = socket.app.state.gateway
        secret: bytes = socket.app.state.channel_settings.web_secret
        await socket.accept()
        token = socket.query_params.get("token")
        identity = web_identity.verify(secret, token)
        fresh = identity is None
        if identity is None:
            token = web_identity.issue(secret)
            identity = web_identity.verify(secret, token)
            assert identity is not None
        after_raw = socket.query_params.get("after", "0")
        after = int(after_raw) if after_raw.isdigit() else 0
        connection = Connection(socket, identity, gw, after)
        try:
            citizen = await gw.sessions.resolve(identity)
            browser_lang = normalise(socket.query_params.get("lang"))
            if fresh and browser_lang:  # a new visitor: start in the browser's language
                session = await gw.sessions.get(citizen)
                await gw.sessions.save(session.but(lang=browser_lang))
            await gw.router.ledger.register(citizen, identity)
            await connection.send({"type": "hello", "token": token})
            await connection.send(state_frame(await gw.router.state(identity)))
            if after == 0:
                await connection.replay_history()
            else:
                await connection.push_new()
            self.connections.setdefault(identity, set()).add(connection)
            while True:
                frame = await socket.receive_json()
                if not isinstance(frame, dict):
                    continue
                if frame.get("type") == "ping":
                    await connection.send({"type": "pong"})
                elif frame.get("type") == "message":
                    await self._turn(connection, frame)
        except (WebSocketDisconnect, RuntimeError, ValueError):
            pass
        except (RedisError, StoreUnavailable) as exc:
            log.warning("web chat: a store is unavailable (%s)", exc)
            with contextlib.suppress(Exception):
                await socket.close(code=1011)
        finally:
            peers = self.connections.get(identity, set())
            peers.discard(connection)
            if not peers:
                self.connections.pop(identity, None)

    async def _turn(self, connection: Connection, frame: dict[str, Any]) -> None:
        gw = connection.gw
        text = str(frame.get("text") or "")[:MAX_FRAME_CHARS]
        payload = frame.get("payload")
        incoming = IncomingMessage(
            text=text,
            channel="web",
            payload=str(payload)[:500] if payload else None,
            lang=normalise(str(frame["lang"])) if frame.get("lang") else None,
        )
        await connection.send({"type": "typing", "on": True})
        try:
            reply = await gw.router.handle(connection.identity, incoming)
        except InvalidMessage as exc:
            session = await gw.sessions.get(await gw.sessions.resolve(connection.identity))
            key = "too_long" if exc.status == 413 else "trouble"
            await connection.send({"type": "error", "message": say(key, session.lang)})
            await connection.send({"type": "typing", "on": False})
            return
        await connection.push_new()  # the replies, and anything that arrived meanwhile
        await connection.send({"type": "typing", "on": False})
        await connection.send(state_frame(reply.state))
