"""Gentle reminders instead of idle expiry, for citizens in simplified mode.

A citizen in simplified mode who stops answering in the middle of a form is never timed out:
after `CIVIC_IDLE_REMINDER_S` (default 10 minutes, never under 30 minutes for expiry, which
does not happen at all: Rasa sessions never expire here) they get one short reminder that
their answers are kept. The draft stays in Rasa's tracker until they come back.
"""

from __future__ import annotations

import asyncio
import logging

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from bot.clock import Clock
from bot.messages import Button, OutgoingMessage
from bot.rasa.tracker import form_data
from bot.storage import keys
from bot.storage.sessions import SessionStore
from bot.storage.transcript import Transcript
from bot.texts import text
from common.vocabulary import PERSON_PAYLOAD

log = logging.getLogger(__name__)


class IdleReminders:
    def __init__(
        self,
        redis: Redis,
        sessions: SessionStore,
        transcript: Transcript,
        clock: Clock,
        after_s: int,
    ) -> None:
        self.redis = redis
        self.sessions = sessions
        self.transcript = transcript
        self.clock = clock
        self.after_s = after_s

    async def touch(self, citizen_id: str, simple_mode: bool) -> None:
        """Called after every citizen turn: (re)start or stop the citizen's idle clock."""
        async with self.redis.pipeline(transaction=False) as pipe:
            self.touch_in(pipe, citizen_id, simple_mode)
            await pipe.execute()

    def touch_in(self, pipe: Pipeline, citizen_id: str, simple_mode: bool) -> None:
        """touch() queued on a pipeline (the router sends a turn's bookkeeping at once)."""
        if simple_mode:
            pipe.zadd(keys.idle_index(), {citizen_id: self.clock.now().timestamp()})
        else:
            pipe.zrem(keys.idle_index(), citizen_id)

    async def sweep(self) -> list[str]:
        """Remind every simplified-mode citizen idle in a form; return who was reminded."""
        due = self.clock.now().timestamp() - self.after_s
        raw = await self.redis.zrangebyscore(keys.idle_index(), "-inf", due)
        reminded = []
        for item in raw:
            citizen_id = item.decode() if isinstance(item, bytes) else str(item)
            # one replica handles each citizen: removing the entry is the claim
            if not await self.redis.zrem(keys.idle_index(), citizen_id):
                continue
            session = await self.sessions.get(citizen_id)
            if not session.simple_mode or session.mode != "bot":
                continue
            if (await form_data(self.redis, citizen_id)).active_form is None:
                continue
            message = OutgoingMessage(
                text=text("idle_reminder", session.lang),
                sender="system",
                buttons=(Button(f"0 {text('talk_to_person', session.lang)}", PERSON_PAYLOAD),),
            )
            stored = await asyncio.to_thread(
                self.transcript.record_turn, citizen_id, session.channel, None, [message]
            )
            await self.redis.publish(keys.outbox_channel(citizen_id), str(stored[-1].id))
            reminded.append(citizen_id)
        return reminded
