"""What agents do to a conversation: claim, reply, release, transfer, close; and what the
gateway does around the queue on its own: re-tell changed positions, nudge and abandon
silent citizens.

Every message to the citizen is stored in the transcript first and then announced on the
citizen's outbox channel, so the REST client sees it via GET messages and the push
delivery of the other channels picks it up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import LockError

from bot.agents.assignment import Assigner
from bot.agents.availability import Availability, Status
from bot.clock import Clock
from bot.errors import Conflict
from bot.handoff.queue import HandoffQueue, WaitingTicket
from bot.handoff.texts import rating_buttons, system
from bot.messages import OutgoingMessage
from bot.storage import keys
from bot.storage.sessions import Session, SessionStore
from bot.storage.transcript import Transcript

log = logging.getLogger(__name__)
# A citizen hears about a worse place at most once a minute (a better one at once).
RETELL_WORSE_AFTER_S = 60


class TicketConflict(Conflict):
    """The ticket is held by someone else (or no longer open)."""

    def __init__(self, holder: str | None) -> None:
        super().__init__(f"held by {holder}" if holder else "not open")
        self.holder = holder


class AgentDesk:
    def __init__(
        self,
        redis: Redis,
        queue: HandoffQueue,
        sessions: SessionStore,
        transcript: Transcript,
        clock: Clock,
    ) -> None:
        self.redis = redis
        self.queue = queue
        self.sessions = sessions
        self.transcript = transcript
        self.clock = clock
        self.availability = Availability(redis, clock, queue.settings)
        self.assigner = Assigner(redis, queue, clock, queue.settings)
        queue.on_change = self.changed

    # --- agent actions ----------------------------------------------------------------------

    async def claim(self, ticket_id: int, agent: str) -> None:
        ok, holder = await self.queue.claim(ticket_id, agent)
        if not ok and holder == agent:  # assigned to this agent: claiming accepts it
            await self.accept(ticket_id, agent)
            return
        if not ok:
            raise TicketConflict(holder)
        await self._join(ticket_id)

    async def accept(self, ticket_id: int, agent: str) -> bool:
        """The agent a ticket was assigned to opens it or writes: accepted (the citizen is
        told a person joined). False when it was accepted already; TicketConflict when the
        agent does not hold it."""
        done = await self.queue.accept(ticket_id, agent)
        if done is None:
            raise TicketConflict(await self.queue.holder(ticket_id))
        if done:
            await self._join(ticket_id)
        return done

    async def _join(self, ticket_id: int) -> None:
        citizen = (await self.queue.live_state(ticket_id)).get("citizen", "")

        def join(session: Session) -> Session:
            if session.ticket_id in (None, ticket_id):
                return session.but(mode="with_agent", ticket_id=ticket_id, pending=None)
            return session

        session = await self._change_session(citizen, join)
        await self._tell(session, ticket_id, [system("agent_joined", session.lang)])

    async def reply(self, ticket_id: int, agent: str, text: str) -> OutgoingMessage:
        await self.accept(ticket_id, agent)  # writing accepts an assigned ticket
        state = await self.queue.live_state(ticket_id)
        session = await self.sessions.get(state.get("citizen", ""))
        stored = await self._tell(session, ticket_id, [OutgoingMessage(text=text, sender="agent")])
        await self.queue.agent_message(ticket_id, agent)
        return stored[0]

    async def release(self, ticket_id: int, agent: str) -> None:
        citizen = (await self.queue.live_state(ticket_id)).get("citizen", "")
        if await self.queue.holder(ticket_id) != agent:
            raise TicketConflict(await self.queue.holder(ticket_id))
        # the re-tell that follows says the agent had to step away and the place is kept
        await self.redis.hset(keys.handoff_ticket(ticket_id), "stepped_away", 1)
        if not await self.queue.release(ticket_id, agent):
            raise TicketConflict(await self.queue.holder(ticket_id))
        await self._change_session(citizen, _back_to_queue(ticket_id))

    async def transfer(
        self, ticket_id: int, agent: str, *, to_agent: str | None, to_team: str | None
    ) -> None:
        citizen = (await self.queue.live_state(ticket_id)).get("citizen", "")
        if not await self.queue.transfer(ticket_id, agent, to_agent=to_agent, to_team=to_team):
            raise TicketConflict(await self.queue.holder(ticket_id))
        if to_agent:
            session = await self.sessions.get(citizen)
            await self._tell(session, ticket_id, [system("transferred_agent", session.lang)])
        else:
            await self._change_session(citizen, _back_to_queue(ticket_id))

    async def close(self, ticket_id: int, agent: str, note: str | None) -> None:
        citizen = (await self.queue.live_state(ticket_id)).get("citizen", "")
        if not await self.queue.close(ticket_id, agent, note):
            raise TicketConflict(await self.queue.holder(ticket_id))

        def finish(session: Session) -> Session:
            if session.ticket_id != ticket_id:
                return session.but(pending="rating", pending_ticket=ticket_id)
            return session.but(
                mode="bot", ticket_id=None, pending="rating", pending_ticket=ticket_id
            )

        session = await self._change_session(citizen, finish)
        messages = [
            system("closed", session.lang),
            system("rate", session.lang, rating_buttons()),
        ]
        await self._tell(session, ticket_id, messages)

    # --- the gateway's own work -------------------------------------------------------------

    async def set_status(self, agent: str, status: Status) -> None:
        """An agent sets their availability; going online takes waiting tickets at once."""
        await self.availability.set(agent, status)
        if status == "online":
            await self.changed()

    async def changed(self) -> None:
        """The queue changed: assign what can be assigned, then re-tell positions."""
        await self.assigner.assign()
        await self.retell()

    async def tick(self) -> None:
        """Presence (away when idle, offline when the console is gone), assignments not
        accepted in time, automatic assignment, then the alerts falling due (callbacks, SLA
        at risk). Every replica runs it; Lua scripts make
        each change happen once."""
        await self.availability.sweep()
        if await self.assigner.expire():
            await self.retell()  # the queue changed (and assigned again, through on_change)
        if await self.assigner.assign():
            await self.retell()
        await self.queue.due_alerts()

    async def run_desk(self, interval_s: float) -> None:
        while True:
            await asyncio.sleep(interval_s)
            try:
                await self.tick()
            except Exception:  # the loop must never stop
                log.exception("agent desk tick failed")

    async def retell(self) -> None:
        """Tell waiting citizens whose place in the queue changed their new place.

        A better place is told at once. A worse one is told with its reason (someone with
        priority joined ahead, or someone who waited longer came back to the queue), and at
        most once a minute: the sweep tells what was held back. Back in the queue after a
        release, the citizen hears that the agent had to step away and that they kept their
        place."""
        lock = self.redis.lock(keys.handoff_retell_lock(), timeout=30, blocking_timeout=30)
        async with lock:
            told = await self._hash_numbers(keys.handoff_told())
            told_at = await self._hash_numbers(keys.handoff_told_at())
            now = self.clock.now().timestamp()
            waiting = await self.queue.waiting()
            for ticket in waiting:
                before = told.get(ticket.ticket_id)
                if ticket.kind != "live" or before == ticket.position:
                    continue
                if before is None:
                    stepped_away = await self.redis.hget(
                        keys.handoff_ticket(ticket.ticket_id), "stepped_away"
                    )
                    key = "agent_stepped_away" if stepped_away else "back_in_queue"
                elif ticket.position < before:
                    key = "queue_update"
                elif now - told_at.get(ticket.ticket_id, 0) < RETELL_WORSE_AFTER_S:
                    continue  # told again once a minute has passed
                else:
                    key = _worse_place_reason(ticket, waiting)
                await self._tell_place(ticket, key, now)

    async def _tell_place(self, ticket: WaitingTicket, key: str, now: float) -> None:
        await self.redis.hset(keys.handoff_told(), str(ticket.ticket_id), ticket.position)
        await self.redis.hset(keys.handoff_told_at(), str(ticket.ticket_id), now)
        await self.redis.hdel(keys.handoff_ticket(ticket.ticket_id), "stepped_away")
        wait = await self.queue.estimate_wait(ticket.position)
        session = await self.sessions.get(ticket.citizen_id)
        notice = system(
            key, session.lang, position=ticket.position, minutes=max(1, round(wait / 60))
        )
        await self._tell(session, ticket.ticket_id, [notice])

    async def _hash_numbers(self, key: str) -> dict[int, float]:
        raw: dict[Any, Any] = await self.redis.hgetall(key)  # type: ignore[misc]
        return {int(k): float(v) for k, v in raw.items()}

    async def sweep(self) -> list[int]:
        """Nudge citizens silent for half the limit; abandon those silent for all of it.

        Silence counts from the citizen's last message, or from the agent's last message
        when the agent spoke last (while the agent owes an answer, nobody is abandoned).
        Returns the ids of the tickets abandoned."""
        limit = self.queue.settings.abandon_after_s
        now = self.clock.now().timestamp()
        abandoned: list[int] = []
        lock = self.redis.lock(keys.handoff_sweep_lock(), timeout=60, blocking_timeout=0)
        if not await lock.acquire():
            return abandoned
        try:
            for ticket_id in await self.queue.open_ids():
                state = await self.queue.live_state(ticket_id)
                if state.get("kind", "live") != "live" or "citizen" not in state:
                    continue
                citizen_at = float(state.get("citizen_at") or now)
                agent_at = float(state.get("agent_at") or 0)
                if await self.queue.holder(ticket_id) is not None and agent_at <= citizen_at:
                    await self._reassure(ticket_id, state, now)
                    continue  # the agent owes the next message
                silent = now - max(citizen_at, agent_at)
                if silent >= limit:
                    await self._abandon(ticket_id, state["citizen"])
                    abandoned.append(ticket_id)
                elif silent >= limit / 2 and state.get("nudged") != "1":
                    await self.redis.hset(keys.handoff_ticket(ticket_id), "nudged", 1)
                    session = await self.sessions.get(state["citizen"])
                    await self._tell(session, ticket_id, [system("still_there", session.lang)])
        finally:
            with contextlib.suppress(LockError):
                await lock.release()
        return abandoned

    async def _reassure(self, ticket_id: int, state: dict[str, str], now: float) -> None:
        """A citizen talking with an agent whose message has had no answer for
        `still_there_s` is told once that the agent is still there."""
        citizen_at = float(state.get("citizen_at") or now)
        if (
            state.get("reassured") == "1"
            or now - citizen_at < self.queue.settings.still_there_s
            or await self.queue.offered(ticket_id) is not None  # not accepted yet
        ):
            return
        await self.redis.hset(keys.handoff_ticket(ticket_id), "reassured", 1)
        session = await self.sessions.get(state["citizen"])
        if session.mode == "with_agent" and session.ticket_id == ticket_id:
            await self._tell(session, ticket_id, [system("agent_still_there", session.lang)])

    async def _abandon(self, ticket_id: int, citizen: str) -> None:
        await self.queue.abandon(ticket_id)

        def leave(session: Session) -> Session:
            if session.ticket_id == ticket_id:
                return session.but(mode="bot", ticket_id=None)
            return session

        session = await self._change_session(citizen, leave)
        await self._tell(session, ticket_id, [system("abandoned", session.lang)])

    async def run_sweeps(self, interval_s: float) -> None:
        """The gateway's periodic sweep (every replica runs it; a lock makes one do the work),
        and the queue places held back by the once-a-minute rule."""
        while True:
            await asyncio.sleep(interval_s)
            try:
                await self.sweep()
                await self.retell()
            except Exception:  # a sweep must never stop the loop
                log.exception("handoff sweep failed")

    # --- helpers ----------------------------------------------------------------------------

    async def _change_session(self, citizen: str, change: Callable[[Session], Session]) -> Session:
        lock = self.redis.lock(keys.conversation_lock(citizen), timeout=120, blocking_timeout=60)
        async with lock:
            session = change(await self.sessions.get(citizen))
            await self.sessions.save(session)
            return session

    async def _tell(
        self, session: Session, ticket_id: int, messages: Sequence[OutgoingMessage]
    ) -> list[OutgoingMessage]:
        stored = await asyncio.to_thread(
            self.transcript.record_turn,
            session.citizen_id,
            session.channel,
            None,
            list(messages),
            ticket_id,
        )
        if stored:
            await self.redis.publish(keys.outbox_channel(session.citizen_id), str(stored[-1].id))
            await self.redis.publish(keys.handoff_events_channel(), f"message:{ticket_id}")
        return stored


def _worse_place_reason(ticket: WaitingTicket, waiting: Sequence[WaitingTicket]) -> str:
    """Why a citizen's place got worse: a newer ticket with priority (simplified mode) ahead,
    else someone who had waited longer came back to the queue (a release or a transfer)."""
    ahead = [
        t for t in waiting if t.team == ticket.team and t.position < ticket.position
    ]  # fmt: skip
    if any(t.priority > ticket.priority and t.requested_at >= ticket.requested_at for t in ahead):
        return "queue_worse_priority"
    return "queue_worse_returned"


def _back_to_queue(ticket_id: int) -> Callable[[Session], Session]:
    def change(session: Session) -> Session:
        if session.ticket_id == ticket_id:
            return session.but(mode="waiting_for_agent")
        return session

    return change
