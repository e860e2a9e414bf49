"""The handoff queue: tickets in SQL (the record, bot/handoff/ticket_log.py), waiting order and
holders in Redis (the live state shared by every gateway replica, bot/handoff/live_tickets.py).

The clock starts at the handoff. Every change is an append-only timing event from which the
reports are computed; Redis only answers "who is waiting, in which order, who holds what".
"""

from __future__ import annotations

import asyncio
import statistics
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from redis.asyncio import Redis

from bot.clock import Clock
from bot.handoff import metrics
from bot.handoff.live_tickets import LiveTickets
from bot.handoff.settings import HandoffSettings
from bot.handoff.ticket_log import TicketLog
from bot.storage.db import Database

PRIORITY_BOOST_S = 600  # a priority ticket is queued as if it had waited ten minutes longer
SLA_AT_RISK = 0.8  # of the pick-up target


@dataclass(frozen=True)
class QueuePlace:
    ticket_id: int
    position: int
    estimated_wait_s: int


@dataclass(frozen=True)
class WaitingTicket:
    ticket_id: int
    citizen_id: str
    team: str
    kind: str
    priority: int
    lang: str
    topic: str | None
    requested_at: datetime
    position: int  # within its team


class HandoffQueue:
    """Opens, claims, releases, transfers and closes tickets; estimates waits."""

    def __init__(
        self,
        redis: Redis,
        db: Database,
        clock: Clock,
        default_wait_s: int,
        settings: HandoffSettings | None = None,
    ) -> None:
        self.redis = redis
        self.db = db
        self.clock = clock
        self.default_wait_s = default_wait_s
        self.settings = settings or HandoffSettings()
        self.on_change: Callable[[], Awaitable[None]] | None = None  # re-tell positions
        self.log = TicketLog(db, clock)
        self.live = LiveTickets(redis)

    # --- opening and the waiting order -------------------------------------------------

    async def open(
        self,
        citizen_id: str,
        *,
        reason: str,
        topic: str | None,
        lang: str,
        simple_mode: bool,
        kind: str = "live",
        detail: dict[str, Any] | None = None,
        callback_at: datetime | None = None,
        contact: str | None = None,
    ) -> QueuePlace:
        now = self.clock.now()
        priority = 1 if simple_mode else 0
        team = self.settings.team_for(topic, lang)
        fields = {
            "reason": reason[:40], "topic": topic[:200] if topic else None, "lang": lang,
            "simple_mode": simple_mode, "priority": priority, "team": team, "kind": kind,
            "callback_at": callback_at, "contact": contact,
        }  # fmt: skip
        ticket_id = await asyncio.to_thread(self.log.insert, citizen_id, fields, detail)
        score = now.timestamp() - priority * PRIORITY_BOOST_S
        await self.live.add(
            ticket_id,
            {
                "citizen": citizen_id, "team": team, "kind": kind, "priority": priority,
                "lang": lang, "topic": topic or "", "score": score,
                "requested": now.timestamp(), "citizen_at": now.timestamp(),
                "callback_at": callback_at.timestamp() if callback_at else "",
            },
            score,
        )  # fmt: skip
        metrics.TICKETS.labels(team, str(priority), kind).inc()
        metrics.EVENTS.labels("requested").inc()
        place = await self.place(ticket_id)
        if kind == "live":
            await self.live.told(ticket_id, place.position, now.timestamp())
        await self._changed("queued", ticket_id)
        return place

    async def waiting(self, team: str | None = None) -> list[WaitingTicket]:
        """The queue in order (optionally one team's), each with its place within its team."""
        out: list[WaitingTicket] = []
        per_team: dict[str, int] = {}
        for ticket_id, data in await self.live.in_order():
            ticket_team = data.get("team") or self.settings.default_team
            per_team[ticket_team] = per_team.get(ticket_team, 0) + 1
            if team is not None and ticket_team != team:
                continue
            out.append(
                WaitingTicket(
                    ticket_id=ticket_id,
                    citizen_id=data.get("citizen", ""),
                    team=ticket_team,
                    kind=data.get("kind", "live"),
                    priority=int(data.get("priority") or 0),
                    lang=data.get("lang", "en"),
                    topic=data.get("topic") or None,
                    requested_at=datetime.fromtimestamp(float(data.get("requested") or 0), UTC),
                    position=per_team[ticket_team],
                )
            )
        return out

    async def place(self, ticket_id: int) -> QueuePlace:
        mine = await self.live.team(ticket_id) or self.settings.default_team
        position = next(
            (t.position for t in await self.waiting(mine) if t.ticket_id == ticket_id), 1
        )
        return QueuePlace(ticket_id, position, await self.estimate_wait(position))

    async def estimate_wait(self, position: int) -> int:
        """Median of recent pick-up times, scaled by the place in the queue."""
        samples = await self.live.pickups()
        base = statistics.median(samples) if samples else float(self.default_wait_s)
        return max(30, round(base * position))

    # --- agents ---------------------------------------------------------------------------

    async def holder(self, ticket_id: int) -> str | None:
        return await self.live.holder(ticket_id)

    async def claim(self, ticket_id: int, agent: str) -> tuple[bool, str | None]:
        """(True, agent) if this agent now holds the ticket, else (False, current holder)."""
        ok, holder = await self.live.claim(ticket_id, agent)
        if not ok:
            return False, holder or None
        await self.live.untold(ticket_id)
        await self._picked_up(*await asyncio.to_thread(self.log.claimed, ticket_id, agent))
        await self.live.set_fields(ticket_id, {"agent_at": self._ts()})
        await self._changed("claimed", ticket_id)
        return True, agent

    async def assigned(self, ticket_id: int, agent: str, deadline: float) -> None:
        """Automatic assignment took the ticket out of the queue for `agent` (bot.agents.
        assignment does that in Redis): the `assigned` event; it waits for `accept`."""
        detail = {"accept_by": datetime.fromtimestamp(deadline, UTC).isoformat()}
        await asyncio.to_thread(self.log.assigned, ticket_id, agent, detail)
        # announced only: the assigner runs from on_change itself
        await self.live.publish(f"assigned:{ticket_id}")

    async def accept(self, ticket_id: int, agent: str) -> bool | None:
        """The assigned agent opened the ticket or wrote. True: accepted now (the `accepted`
        event; pick-up time and SLA count to here); False: it already was; None: the agent
        does not hold it."""
        done = await self.live.accept(ticket_id, agent)
        if done < 0:
            return None
        if done == 0:
            return False
        await self.live.untold(ticket_id, when_too=False)
        await self._picked_up(*await asyncio.to_thread(self.log.accepted, ticket_id, agent))
        await self.live.set_fields(ticket_id, {"agent_at": self._ts()})
        await self._changed("accepted", ticket_id)
        return True

    async def not_accepted(self, ticket_id: int, agent: str) -> None:
        """An assignment timed out and Redis put the ticket back at its old place."""
        detail = {"why": "not accepted in time"}
        await asyncio.to_thread(
            self.log.update, ticket_id, "released", agent, detail, status="waiting"
        )
        await self._changed("released", ticket_id)

    async def _picked_up(self, waited: float, priority: int, first: bool) -> None:
        if not first:
            return
        await self.live.add_pickup(waited)
        metrics.PICKUP.labels(str(priority)).observe(waited)
        if waited > self.settings.sla_target_s(priority):
            metrics.SLA_BREACHES.labels(str(priority)).inc()

    async def offered(self, ticket_id: int) -> float | None:
        """The accept-by deadline of an assigned, not yet accepted ticket."""
        return await self.live.offered(ticket_id)

    async def release(self, ticket_id: int, agent: str) -> bool:
        """Put a held ticket back in the queue at its old place (only by its holder)."""
        if not await self.live.hand_over(ticket_id, agent, ""):
            return False
        await self.live.requeue(ticket_id, self._ts())
        await asyncio.to_thread(
            self.log.update, ticket_id, "released", agent, None, status="waiting"
        )
        await self._changed("released", ticket_id)
        return True

    async def transfer(
        self, ticket_id: int, by: str, *, to_agent: str | None = None, to_team: str | None = None
    ) -> bool:
        """Hand a held ticket to another agent (stays held) or to a team (back in the queue)."""
        if to_agent:
            if not await self.live.hand_over(ticket_id, by, to_agent):
                return False
            detail = {"to_agent": to_agent}
            await asyncio.to_thread(self.log.update, ticket_id, "transferred", by, detail)
        elif to_team:
            if not await self.live.hand_over(ticket_id, by, ""):
                return False
            await self.live.set_fields(ticket_id, {"team": to_team})
            await self.live.requeue(ticket_id, self._ts())
            detail = {"to_team": to_team}
            await asyncio.to_thread(
                self.log.update,
                ticket_id,
                "transferred",
                by,
                detail,
                status="waiting",
                team=to_team,
            )
        else:
            return False
        await self._changed("transferred", ticket_id)
        return True

    async def close(self, ticket_id: int, agent: str, note: str | None) -> bool:
        if not await self.live.hand_over(ticket_id, agent, ""):
            return False
        await self._finish(ticket_id, "closed", agent, note)
        return True

    async def abandon(self, ticket_id: int) -> None:
        await self.live.drop_holder(ticket_id)
        await self._finish(ticket_id, "abandoned", None, None)

    async def cancel(self, ticket_id: int) -> None:
        await self.live.drop_holder(ticket_id)
        await self._finish(ticket_id, "cancelled", None, None)

    # --- activity -------------------------------------------------------------------------

    async def record(self, ticket_id: int, kind: str, agent: str | None = None) -> None:
        """Append a timing event (e.g. `citizen_replied`)."""
        await asyncio.to_thread(self.log.update, ticket_id, kind, agent, None)

    async def citizen_message(self, ticket_id: int) -> None:
        await self.record(ticket_id, "citizen_replied")
        await self.live.set_fields(ticket_id, {"citizen_at": self._ts(), "nudged": 0})
        await self.live.publish(f"citizen_replied:{ticket_id}")

    async def agent_message(self, ticket_id: int, agent: str) -> None:
        await self.record(ticket_id, "agent_replied", agent)
        await self.live.set_fields(ticket_id, {"agent_at": self._ts(), "reassured": 0})
        await self.live.publish(f"agent_replied:{ticket_id}")

    async def due_alerts(self) -> list[tuple[str, int]]:
        """Raise each alert once per ticket, whichever replica sees it first: a booked callback
        whose time has come (`callback_due`), a waiting live ticket past 80 % of its pick-up
        target (`sla_at_risk`). Published as `kind:ticket_id` events for the consoles."""
        now = self._ts()
        raised: list[tuple[str, int]] = []
        for ticket in await self.waiting():
            kind = None
            if ticket.kind == "callback":
                due = (await self.live_state(ticket.ticket_id)).get("callback_at")
                if due and float(due) <= now:
                    kind = "callback_due"
            elif ticket.kind == "live":
                waited = now - ticket.requested_at.timestamp()
                if waited > SLA_AT_RISK * self.settings.sla_target_s(ticket.priority):
                    kind = "sla_at_risk"
            if kind and await self.live.first_alert(kind, ticket.ticket_id):
                await self.live.publish(f"{kind}:{ticket.ticket_id}")
                raised.append((kind, ticket.ticket_id))
        return raised

    async def open_ids(self) -> list[int]:
        return await self.live.open_ids()

    def rate(self, ticket_id: int, rating: int) -> None:
        self.log.rate(ticket_id, rating)

    async def live_state(self, ticket_id: int) -> dict[str, str]:
        return await self.live.fields(ticket_id)

    # --- internals ------------------------------------------------------------------------

    def _ts(self) -> float:
        return self.clock.now().timestamp()

    async def _finish(
        self, ticket_id: int, status: str, agent: str | None, note: str | None
    ) -> None:
        """The ticket leaves Redis and is finished in SQL (closed, abandoned, cancelled)."""
        await self.live.forget(ticket_id)
        await asyncio.to_thread(self.log.finish, ticket_id, status, agent, note)
        await self._changed(status, ticket_id)

    async def _changed(self, kind: str, ticket_id: int) -> None:
        await self.live.publish(f"{kind}:{ticket_id}")
        if self.on_change is not None:
            await self.on_change()
