"""The live side of the handoff queue in Redis, shared by every gateway replica: who is waiting
in which order, who holds which ticket, the places citizens were told, recent pick-up times and
the alerts already raised. The record of the tickets is in SQL (bot/handoff/ticket_log.py);
bot/handoff/queue.py keeps the two in step."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from redis.asyncio import Redis
from redis.typing import EncodableT, FieldT

from bot.storage import keys

RECENT_PICKUPS = 50
ALERTS = ("callback_due", "sla_at_risk")  # raised once per ticket (see HandoffQueue.due_alerts)

# Leave the queue and become held in one step, so that two agents never get the same ticket.
_CLAIM = """
if redis.call('ZREM', KEYS[1], ARGV[1]) == 1 then
  redis.call('SET', KEYS[2], ARGV[2])
  return {1, ARGV[2]}
end
return {0, redis.call('GET', KEYS[2]) or ''}
"""
# Move a held ticket to another holder only if the caller still holds it (an assignment not
# yet accepted ends with it).
_HAND_OVER = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2]) end
  redis.call('ZREM', KEYS[2], ARGV[3])
  return 1
end
return 0
"""
# The agent an assigned ticket went to accepts it: 1 now accepted, 0 already accepted (or
# claimed by hand), -1 not held by this agent (e.g. the offer timed out just before).
_ACCEPT = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
return redis.call('ZREM', KEYS[2], ARGV[2])
"""


def _text(raw: Any) -> str | None:
    return raw.decode() if isinstance(raw, bytes) else raw


class LiveTickets:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self._claim = redis.register_script(_CLAIM)
        self._hand_over = redis.register_script(_HAND_OVER)
        self._accept = redis.register_script(_ACCEPT)

    # --- the waiting order --------------------------------------------------------------------

    async def add(self, ticket_id: int, fields: Mapping[FieldT, EncodableT], score: float) -> None:
        """A new ticket: its live fields, its place in the queue (by score), open."""
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(keys.handoff_ticket(ticket_id), mapping=fields)
            pipe.zadd(keys.handoff_queue(), {str(ticket_id): score})
            pipe.sadd(keys.handoff_open(), str(ticket_id))
            await pipe.execute()

    async def in_order(self) -> list[tuple[int, dict[str, str]]]:
        """The waiting tickets in queue order, each with its live fields."""
        members: list[Any] = await self.redis.zrange(keys.handoff_queue(), 0, -1)
        ids = [int(x) for x in members]
        async with self.redis.pipeline(transaction=False) as pipe:
            for ticket_id in ids:
                pipe.hgetall(keys.handoff_ticket(ticket_id))
            rows: list[dict[bytes, bytes]] = await pipe.execute()
        return [
            (ticket_id, {k.decode(): v.decode() for k, v in row.items()})
            for ticket_id, row in zip(ids, rows, strict=True)
        ]

    async def team(self, ticket_id: int) -> str | None:
        return _text(await self.redis.hget(keys.handoff_ticket(ticket_id), "team"))

    async def requeue(self, ticket_id: int, now: float) -> None:
        """Back in the queue at its old place (its first score), or at the end."""
        score = await self.redis.hget(keys.handoff_ticket(ticket_id), "score")
        when = float(score) if score is not None else now
        await self.redis.zadd(keys.handoff_queue(), {str(ticket_id): when})

    async def told(self, ticket_id: int, position: int, at: float) -> None:
        """The place the citizen was told, and when."""
        await self.redis.hset(keys.handoff_told(), str(ticket_id), position)
        await self.redis.hset(keys.handoff_told_at(), str(ticket_id), at)

    async def untold(self, ticket_id: int, *, when_too: bool = True) -> None:
        await self.redis.hdel(keys.handoff_told(), str(ticket_id))
        if when_too:
            await self.redis.hdel(keys.handoff_told_at(), str(ticket_id))

    async def pickups(self) -> list[float]:
        """The most recent pick-up times (seconds), newest first."""
        raw: list[bytes | str] = await self.redis.lrange(  # type: ignore[misc]
            keys.handoff_pickups(), 0, RECENT_PICKUPS - 1
        )
        return [float(x) for x in raw]

    async def add_pickup(self, waited: float) -> None:
        await self.redis.lpush(keys.handoff_pickups(), round(waited))
        await self.redis.ltrim(keys.handoff_pickups(), 0, RECENT_PICKUPS - 1)

    # --- holders ------------------------------------------------------------------------------

    async def holder(self, ticket_id: int) -> str | None:
        return _text(await self.redis.get(keys.handoff_claim(ticket_id)))

    async def claim(self, ticket_id: int, agent: str) -> tuple[bool, str]:
        """(True, agent) when the ticket left the queue for this agent, else (False, the
        current holder or "")."""
        ok, holder = await self._claim(
            keys=[keys.handoff_queue(), keys.handoff_claim(ticket_id)], args=[ticket_id, agent]
        )
        return bool(ok), holder.decode() if isinstance(holder, bytes) else str(holder)

    async def accept(self, ticket_id: int, agent: str) -> int:
        """1 accepted now, 0 already accepted, -1 not held by this agent."""
        return int(
            await self._accept(
                keys=[keys.handoff_claim(ticket_id), keys.handoff_offers()],
                args=[agent, ticket_id],
            )
        )

    async def hand_over(self, ticket_id: int, holder: str, to: str) -> bool:
        """From `holder` (only if it still holds it) to `to`, or to nobody with ""."""
        return bool(
            await self._hand_over(
                keys=[keys.handoff_claim(ticket_id), keys.handoff_offers()],
                args=[holder, to, ticket_id],
            )
        )

    async def drop_holder(self, ticket_id: int) -> None:
        await self.redis.delete(keys.handoff_claim(ticket_id))

    async def offered(self, ticket_id: int) -> float | None:
        """The accept-by deadline of an assigned, not yet accepted ticket."""
        deadline: float | None = await self.redis.zscore(keys.handoff_offers(), str(ticket_id))
        return deadline

    # --- the tickets' fields, events and alerts -----------------------------------------------

    async def fields(self, ticket_id: int) -> dict[str, str]:
        raw: dict[Any, Any] = await self.redis.hgetall(  # type: ignore[misc]
            keys.handoff_ticket(ticket_id)
        )
        return {k.decode(): v.decode() for k, v in raw.items()}

    async def set_fields(self, ticket_id: int, fields: Mapping[FieldT, EncodableT]) -> None:
        await self.redis.hset(keys.handoff_ticket(ticket_id), mapping=fields)

    async def open_ids(self) -> list[int]:
        members: set[Any] = await self.redis.smembers(keys.handoff_open())  # type: ignore[misc]
        return sorted(int(m) for m in members)

    async def publish(self, event: str) -> None:
        """`kind:ticket_id` for the consoles (and the assigner)."""
        await self.redis.publish(keys.handoff_events_channel(), event)

    async def first_alert(self, kind: str, ticket_id: int) -> bool:
        """True the first time this alert is raised for this ticket, by any replica."""
        member = f"{kind}:{ticket_id}"
        return bool(await self.redis.sadd(keys.handoff_alerted(), member))  # type: ignore[misc]

    async def forget(self, ticket_id: int) -> None:
        """A finished ticket leaves every live structure."""
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zrem(keys.handoff_queue(), str(ticket_id))
            pipe.delete(keys.handoff_ticket(ticket_id))
            pipe.hdel(keys.handoff_told(), str(ticket_id))
            pipe.hdel(keys.handoff_told_at(), str(ticket_id))
            pipe.srem(keys.handoff_open(), str(ticket_id))
            pipe.zrem(keys.handoff_offers(), str(ticket_id))
            pipe.srem(keys.handoff_alerted(), *(f"{k}:{ticket_id}" for k in ALERTS))
            await pipe.execute()
