"""The handoff queue: tickets in SQL (the record), waiting order in Redis (the live state).

The clock starts at the handoff. Every change is an append-only timing event from which the
reports are computed.
"""

from __future__ import annotations

import asyncio
import statistics
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from bot import keys
from bot.clock import Clock
from bot.db import Database
from bot.models import Ticket, TicketEvent

PRIORITY_BOOST_S = 600  # a priority ticket is queued as if it had waited ten minutes longer
RECENT_PICKUPS = 50


@dataclass(frozen=True)
class QueuePlace:
    ticket_id: int
    position: int
    estimated_wait_s: int


class HandoffQueue:
    """Opens tickets, keeps the waiting order and estimates waits from recent pick-ups."""

    def __init__(self, redis: Redis, db: Database, clock: Clock, default_wait_s: int) -> None:
        self.redis = redis
        self.db = db
        self.clock = clock
        self.default_wait_s = default_wait_s

    async def open(
        self,
        citizen_id: str,
        *,
        reason: str,
        topic: str | None,
        lang: str,
        simple_mode: bool,
    ) -> QueuePlace:
        now = self.clock.now()
        priority = 1 if simple_mode else 0
        ticket_id = await asyncio.to_thread(
            self._insert_ticket, citizen_id, reason, topic, lang, simple_mode, priority
        )
        score = now.timestamp() - priority * PRIORITY_BOOST_S
        await self.redis.zadd(keys.handoff_queue(), {str(ticket_id): score})
        await self.redis.publish(keys.handoff_events_channel(), f"queued:{ticket_id}")
        return await self.place(ticket_id)

    def _insert_ticket(
        self,
        citizen_id: str,
        reason: str,
        topic: str | None,
        lang: str,
        simple_mode: bool,
        priority: int,
    ) -> int:
        now = self.clock.now()
        with self.db.session() as session:
            ticket = Ticket(
                citizen_id=citizen_id,
                status="waiting",
                reason=reason[:40],
                topic=(topic or None) and topic[:200],
                lang=lang,
                simple_mode=simple_mode,
                priority=priority,
                created_at=now,
            )
            session.add(ticket)
            session.flush()
            session.add(TicketEvent(ticket_id=ticket.id, kind="requested", at=now))
            session.add(TicketEvent(ticket_id=ticket.id, kind="queued", at=now))
            return ticket.id

    async def place(self, ticket_id: int) -> QueuePlace:
        rank: int | None = await self.redis.zrank(  # type: ignore[assignment]
            keys.handoff_queue(), str(ticket_id)
        )
        position = (rank if rank is not None else 0) + 1
        return QueuePlace(ticket_id, position, await self.estimate_wait(position))

    async def estimate_wait(self, position: int) -> int:
        """Median of recent pick-up times, scaled by the place in the queue."""
        raw: list[bytes | str] = await self.redis.lrange(  # type: ignore[misc]
            keys.handoff_pickups(), 0, RECENT_PICKUPS - 1
        )
        samples = [float(x) for x in raw]
        base = statistics.median(samples) if samples else float(self.default_wait_s)
        return max(30, round(base * position))

    async def cancel(self, ticket_id: int) -> None:
        await self.redis.zrem(keys.handoff_queue(), str(ticket_id))
        await asyncio.to_thread(self._close, ticket_id, "cancelled", None)
        await self.redis.publish(keys.handoff_events_channel(), f"cancelled:{ticket_id}")

    def _close(self, ticket_id: int, kind: str, detail: dict[str, Any] | None) -> None:
        now = self.clock.now()
        with self.db.session() as session:
            ticket = session.get(Ticket, ticket_id)
            if ticket is None:
                return
            ticket.status = kind
            ticket.closed_at = now
            session.add(TicketEvent(ticket_id=ticket_id, kind=kind, at=now, detail=detail))

    async def record(self, ticket_id: int, kind: str, agent: str | None = None) -> None:
        """Append a timing event (e.g. `citizen_replied`)."""

        def write() -> None:
            with self.db.session() as session:
                session.add(
                    TicketEvent(ticket_id=ticket_id, kind=kind, at=self.clock.now(), agent=agent)
                )

        await asyncio.to_thread(write)
