"""Live console updates: Server-Sent Events relayed from the Redis pub/sub channel
`keys.handoff_events_channel()` (queued, claimed, released, transferred, closed, abandoned,
cancelled, citizen_replied, agent_replied, message; each `kind:ticket_id`).

Events carry only ids: the page then re-reads what it may see through the JSON API, so the
role checks stay in one place."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from bot.storage import keys
from console.api import Gw
from console.auth import DeskAgent

HEARTBEAT_S = 15.0
SEEN_EVERY_S = 5.0  # an open stream is the console's sign of life (availability)

router = APIRouter(prefix="/api/v1/agent", tags=["agent console"])


@router.get(
    "/events",
    summary="Server-Sent Events: queue and conversation changes (`data: kind:ticket_id`)",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def events(agent: DeskAgent, gw: Gw, request: Request) -> StreamingResponse:
    async def stream() -> AsyncIterator[str]:
        pubsub = gw.redis.pubsub()
        await pubsub.subscribe(keys.handoff_events_channel())
        try:
            yield "retry: 2000\n: connected\n\n"
            idle, seen_at = 0.0, -SEEN_EVERY_S
            while not await request.is_disconnected():
                if time.monotonic() - seen_at >= SEEN_EVERY_S and gw.desk is not None:
                    await gw.desk.availability.seen(agent.username)
                    seen_at = time.monotonic()
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                if message is None:
                    idle += 1.0
                    if idle >= HEARTBEAT_S:
                        idle = 0.0
                        yield ": ping\n\n"
                    continue
                data = message["data"]
                text = data.decode() if isinstance(data, bytes) else str(data)
                yield f"data: {text}\n\n"
        finally:
            with contextlib.suppress(Exception):
                await asyncio.shield(pubsub.aclose())  # type: ignore[no-untyped-call]

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)
