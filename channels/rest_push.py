"""REST push delivery: a client registers a callback URL and gets messages POSTed to it.

Each POST body is JSON `{"conversation_id", "message": {...as in the messages API...},
"state": {...}}` with two headers:

    X-Civic-Timestamp: <unix seconds>
    X-Civic-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>

The secret is returned when the callback is registered. A receiver recomputes the HMAC over the
raw body, compares in constant time and rejects timestamps older than five minutes. Any 2xx
answer counts as delivered; a network error, a 408, 429 or 5xx answer is retried with
exponential backoff (1, 2, 4, 8, 16 s by default); other 4xx answers are not retried. The
message id is the idempotency key (a message can arrive twice only if an answer got lost).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import secrets
import time
from typing import Annotated

import aiohttp
from fastapi import APIRouter, Depends, HTTPException, Response
from pydantic import BaseModel, Field, field_validator
from redis.asyncio import Redis

from bot.gateway import Gateway
from bot.messages import ConversationState, OutgoingMessage
from bot.storage import keys
from bot.storage.sessions import Session
from channels.rest import client_id, gateway, message_out, require_api_key, state_out

log = logging.getLogger(__name__)
SIGNATURE_HEADER = "X-Civic-Signature"
TIMESTAMP_HEADER = "X-Civic-Timestamp"
RETRY_STATUSES = {408, 425, 429}
_TIMEOUT = aiohttp.ClientTimeout(total=10.0)  # one callback attempt


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "v1=" + digest.hexdigest()


class CallbackIn(BaseModel):
    url: str = Field(
        max_length=2000, description="http(s) URL that receives a POST per outgoing message."
    )

    @field_validator("url")
    @classmethod
    def _http(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("url must start with http:// or https://")
        return value


class CallbackOut(BaseModel):
    url: str
    secret: str = Field(description="HMAC-SHA256 key of the X-Civic-Signature header.")


router = APIRouter(prefix="/api/v1", tags=["push callbacks"])


@router.put(
    "/callbacks",
    response_model=CallbackOut,
    summary="Register (or replace) this API key's push callback URL",
    description=__doc__,
)
async def put_callback(
    body: CallbackIn,
    key: Annotated[str, Depends(require_api_key)],
    gw: Annotated[Gateway, Depends(gateway)],
) -> CallbackOut:
    secret = "whsec_" + secrets.token_urlsafe(32)
    await gw.redis.hset(  # type: ignore[misc]
        keys.rest_callback(client_id(key)), mapping={"url": body.url, "secret": secret}
    )
    return CallbackOut(url=body.url, secret=secret)


@router.get("/callbacks", response_model=CallbackOut, summary="This API key's push callback")
async def get_callback(
    key: Annotated[str, Depends(require_api_key)], gw: Annotated[Gateway, Depends(gateway)]
) -> CallbackOut:
    found = await _callback(gw.redis, client_id(key))
    if found is None:
        raise HTTPException(404, "no callback registered")
    return CallbackOut(url=found[0], secret=found[1])


@router.delete(
    "/callbacks", status_code=204, summary="Stop push delivery (poll GET messages instead)"
)
async def delete_callback(
    key: Annotated[str, Depends(require_api_key)], gw: Annotated[Gateway, Depends(gateway)]
) -> Response:
    await gw.redis.delete(keys.rest_callback(client_id(key)))
    return Response(status_code=204)


async def _callback(redis: Redis, client: str) -> tuple[str, str] | None:
    raw: dict[bytes | str, bytes | str] = await redis.hgetall(  # type: ignore[misc]
        keys.rest_callback(client)
    )
    data = {_str(k): _str(v) for k, v in raw.items()}
    if "url" not in data or "secret" not in data:
        return None
    return data["url"], data["secret"]


def _str(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class RestPushSink:
    """Delivery sink for `rest:<conversation_id>` identities with a registered callback."""

    def __init__(self, gw: Gateway, max_attempts: int, backoff_s: float) -> None:
        self.gw = gw
        self.max_attempts = max_attempts
        self.backoff_s = backoff_s

    async def _target(self, channel_identity: str) -> tuple[str, str] | None:
        conversation = channel_identity.partition(":")[2]
        raw = await self.gw.redis.get(keys.rest_client(conversation))
        if raw is None:
            return None
        return await _callback(self.gw.redis, raw.decode() if isinstance(raw, bytes) else raw)

    async def accepts(self, channel_identity: str) -> bool:
        return await self._target(channel_identity) is not None

    async def send(self, channel_identity: str, message: OutgoingMessage, session: Session) -> None:
        target = await self._target(channel_identity)
        if target is None:
            return
        url, secret = target
        state = ConversationState(session.mode, session.lang, session.simple_mode)
        body = json.dumps(
            {
                "conversation_id": channel_identity.partition(":")[2],
                "message": message_out(message).model_dump(mode="json", by_alias=True),
                "state": state_out(state).model_dump(mode="json"),
            },
            ensure_ascii=False,
        ).encode()
        delay = self.backoff_s
        for attempt in range(1, self.max_attempts + 1):
            timestamp = int(time.time())
            headers = {
                "Content-Type": "application/json",
                TIMESTAMP_HEADER: str(timestamp),
                SIGNATURE_HEADER: sign(secret, timestamp, body),
                "X-Civic-Delivery": str(message.id),
            }
            try:
                status = await self._post(url, body, headers)
                if 200 <= status < 300:
                    return
                if status < 500 and status not in RETRY_STATUSES:
                    log.warning("callback refused message %s: %s", message.id, status)
                    return
                problem = f"HTTP {status}"
            except (TimeoutError, aiohttp.ClientError) as exc:
                problem = type(exc).__name__
            if attempt < self.max_attempts:
                log.info("callback attempt %d: %s; retry in %.1f s", attempt, problem, delay)
                await asyncio.sleep(delay)
                delay *= 2
        log.warning("callback gave up on message %s after %d attempts", message.id, attempt)

    async def _post(self, url: str, body: bytes, headers: dict[str, str]) -> int:
        """POST through the gateway's pooled client, within the callback's time limit."""
        session = self.gw.http.session()
        async with session.post(url, data=body, headers=headers, timeout=_TIMEOUT) as response:
            await response.read()
            return response.status

    async def close(self) -> None:
        """Nothing of its own to close: the gateway closes its pooled client."""


def verify(secret: str, timestamp: str, signature: str, body: bytes, now: float) -> bool:
    """What a receiver does (used by the tests; documented in the README)."""
    if not timestamp.isdigit() or abs(now - int(timestamp)) > 300:
        return False
    return hmac.compare_digest(sign(secret, int(timestamp), body), signature)
