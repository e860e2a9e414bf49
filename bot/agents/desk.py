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

from bot.clock import Clock
from bot.handoff.queue import HandoffQueue
from bot.handoff.texts import rating_buttons, system
from bot.messages import OutgoingMessage
from bot.storage import keys
from bot.storage.sessions import Session, SessionStore
from bot.storage.transcript import Transcript

log = logging.getLogger(__name__)


class TicketConflict(Exception):
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
        queue.on_change = self.retell

    # --- agent actions ----------------------------------------------------------------------

    async def claim(self, ticket_id: int, agent: str) -> None:
        state = await self.queue.live_state(ticket_id)
        ok, holder = await self.queue.claim(ticket_id, agent)
        if not ok:
            raise TicketConflict(holder)
        citizen = state.get("citizen", "")

        def join(session: Session) -> Session:
            if session.ticket_id in (None, ticket_id):
                return session.but(mode="with_agent", ticket_id=ticket_id, pending=None)
            return session

        session = await self._change_session(citizen, join)
        await self._tell(session, ticket_id, [system("agent_joined", session.lang)])

    async def reply(self, ticket_id: int, agent: str, text: str) -> OutgoingMessage:
        await self._require_holder(ticket_id, agent)
        state = await self.queue.live_state(ticket_id)
        session = await self.sessions.get(state.get("citizen", ""))
        stored = await self._tell(session, ticket_id, [OutgoingMessage(text=text, sender="agent")])
        await self.queue.agent_message(ticket_id, agent)
        return stored[0]

    async def release(self, ticket_id: int, agent: str) -> None:
        citizen = (await self.queue.live_state(ticket_id)).get("citizen", "")
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

    async def _require_holder(self, ticket_id: int, agent: str) -> None:
        holder = await self.queue.holder(ticket_id)
        if holder != agent:
            raise TicketConflict(holder)

    # --- the gateway's own work -------------------------------------------------------------

    async def retell(self) -> None:
        """Tell every waiting citizen whose place in the queue changed their new place."""
        lock = self.redis.lock(keys.handoff_retell_lock(), timeout=30, blocking_timeout=30)
        async with lock:
            told_raw: dict[Any, Any] = await self.redis.hgetall(  # type: ignore[misc]
                keys.handoff_told()
            )
            told = {int(k): int(v) for k, v in told_raw.items()}
            for ticket in await self.queue.waiting():
                if ticket.kind != "live" or told.get(ticket.ticket_id) == ticket.position:
                    continue
                key = "back_in_queue" if ticket.ticket_id not in told else "queue_update"
                await self.redis.hset(keys.handoff_told(), str(ticket.ticket_id), ticket.position)
                wait = await self.queue.estimate_wait(ticket.position)
                session = await self.sessions.get(ticket.citizen_id)
                notice = system(
                    key, session.lang, position=ticket.position, minutes=max(1, round(wait / 60))
                )
                await self._tell(session, ticket.ticket_id, [notice])

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

    async def _abandon(self, ticket_id: int, citizen: str) -> None:
        await self.queue.abandon(ticket_id)

        def leave(session: Session) -> Session:
            if session.ticket_id == ticket_id:
                return session.but(mode="bot", ticket_id=None)
            return session

        session = await self._change_session(citizen, leave)
        await self._tell(session, ticket_id, [system("abandoned", session.lang)])

    async def run_sweeps(self, interval_s: float) -> None:
        """The gateway's periodic sweep (every replica runs it; a lock makes one do the work)."""
        while True:
            await asyncio.sleep(interval_s)
            try:
                await self.sweep()
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


def _back_to_queue(ticket_id: int) -> Callable[[Session], Session]:
    def change(session: Session) -> Session:
        if session.ticket_id == ticket_id:
            return session.but(mode="waiting_for_agent")
        return session

    return change
