"""Put citizens in the queue the way the router does (ticket + session in waiting mode)."""

from __future__ import annotations

import uuid

from bot.handoff.queue import HandoffQueue, QueuePlace
from bot.storage.sessions import SessionStore


async def wait_in_queue(
    queue: HandoffQueue,
    sessions: SessionStore,
    *,
    topic: str | None = None,
    lang: str = "en",
    simple_mode: bool = False,
    citizen: str | None = None,
) -> tuple[str, QueuePlace]:
    citizen = citizen or f"rest:t-{uuid.uuid4().hex[:10]}"
    place = await queue.open(
        citizen, reason="requested", topic=topic, lang=lang, simple_mode=simple_mode
    )
    session = (await sessions.get(citizen)).but(
        mode="waiting_for_agent", ticket_id=place.ticket_id, lang=lang, simple_mode=simple_mode
    )
    await sessions.save(session)
    return citizen, place
