"""One citizen, many channels: one-time codes that join two channel identities.

`link` (or `绑定`, `关联`, or the `/link` button payload) on channel A gives a 6-digit code
valid once for 10 minutes. `link 123456` typed on channel B joins B's citizen into A's:

- every channel identity of B's citizen now resolves to A's citizen (Rasa's tracker, the form
  in progress, language and simplified mode are A's from then on);
- B's transcript (and its tickets) are re-keyed to A's citizen id, so the history of both is one
  transcript, interleaved in time order (message ids);
- the confirmation goes to every linked channel, followed by a copy of A's last messages so
  that a form question asked on A can be answered on B.

B's own session (and any Rasa form B had open) is dropped. Linking is refused while B is
waiting for or talking with a person (finish or cancel that first). Five wrong codes per
channel identity lock linking for 10 minutes.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from contextlib import AsyncExitStack

from redis.asyncio import Redis
from sqlalchemy import func, select, update

from bot.delivery.ledger import DeliveryLedger
from bot.delivery.texts import text as say
from bot.messages import OutgoingMessage
from bot.storage import keys
from bot.storage.db import Database
from bot.storage.models import Ticket, TranscriptMessage
from bot.storage.sessions import SessionStore
from bot.storage.transcript import Transcript

CODE_TTL_S = 600
MAX_WRONG_CODES = 5
LINK_PAYLOAD = "/link"
_LINK = re.compile(
    r"^\s*(?:/?link|绑定|关联)\s*(?:my\s+)?(?:code|account|accounts|账号|账户|码)?\s*[:：]?\s*"
    r"(\d{6})?\s*[.!。！]?\s*$",
    re.IGNORECASE,
)


def parse(text: str) -> tuple[bool, str | None]:
    """(is a link command, the code typed with it or None)."""
    match = _LINK.match(text)
    if match is None:
        return False, None
    return True, match.group(1)


class AccountLinker:
    def __init__(
        self,
        redis: Redis,
        db: Database,
        sessions: SessionStore,
        transcript: Transcript,
        ledger: DeliveryLedger,
    ) -> None:
        self.redis = redis
        self.db = db
        self.sessions = sessions
        self.transcript = transcript
        self.ledger = ledger

    async def handle(
        self, channel_identity: str, channel: str, text: str
    ) -> list[OutgoingMessage] | None:
        """The stored replies when `text` is a link command, else None (not for us)."""
        is_link, code = parse(text)
        if not is_link:
            return None
        if code is None:
            return await self._issue(channel_identity, channel, text)
        return await self._redeem(channel_identity, channel, text, code)

    async def _issue(self, channel_identity: str, channel: str, text: str) -> list[OutgoingMessage]:
        citizen_id = await self.sessions.resolve(channel_identity)
        for _ in range(20):
            code = f"{secrets.randbelow(10**6):06d}"
            if await self.redis.set(keys.link_code(code), citizen_id, nx=True, ex=CODE_TTL_S):
                break
        else:  # pragma: no cover - a million codes in use at once
            raise RuntimeError("no free link code")
        session = await self.sessions.get(citizen_id)
        reply = OutgoingMessage(text=say("link_code", session.lang, code=code), sender="system")
        return await self._record(citizen_id, channel_identity, channel, text, [reply])

    async def _redeem(
        self, channel_identity: str, channel: str, text: str, code: str
    ) -> list[OutgoingMessage]:
        joining = await self.sessions.resolve(channel_identity)
        attempts_key = keys.link_attempts(channel_identity)
        if int(await self.redis.get(attempts_key) or 0) >= MAX_WRONG_CODES:
            return await self._say(joining, channel_identity, channel, text, "link_too_many")
        raw = await self.redis.get(keys.link_code(code))
        target = raw.decode() if isinstance(raw, bytes) else raw
        if target is None:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.incr(attempts_key)
                pipe.expire(attempts_key, CODE_TTL_S)
                await pipe.execute()
            return await self._say(joining, channel_identity, channel, text, "link_invalid")
        if target == joining:
            return await self._say(joining, channel_identity, channel, text, "link_same")
        async with AsyncExitStack() as stack:
            for citizen in sorted({joining, target}):
                lock = self.redis.lock(
                    keys.conversation_lock(citizen), timeout=120, blocking_timeout=60
                )
                await stack.enter_async_context(lock)
            joining_session = await self.sessions.get(joining)
            if joining_session.mode != "bot":
                return await self._say(joining, channel_identity, channel, text, "link_busy")
            if await self.redis.getdel(keys.link_code(code)) is None:  # used meanwhile
                return await self._say(joining, channel_identity, channel, text, "link_invalid")
            moved = await self._merge(joining, target, channel_identity)
            session = await self.sessions.get(target)
            done = OutgoingMessage(text=say("link_done", session.lang), sender="system")
            earlier = await asyncio.to_thread(self.transcript.get_many, session.last_reply_ids)
            copies = [
                OutgoingMessage(text=m.text, sender=m.sender, buttons=m.buttons)
                for m in earlier
                if m.text
            ]
            stored = await asyncio.to_thread(
                self.transcript.record_turn, target, channel, text, [done, *copies]
            )
            if copies:
                await self.sessions.save(
                    session.but(last_reply_ids=tuple(m.id for m in stored[1:]))
                )
                for identity in set(await self.ledger.identities(target)) - moved:
                    await self.ledger.mark(identity, [m.id for m in stored[1:]])  # seen there
        await self._announce(target, channel_identity, stored)
        return stored

    async def _merge(self, joining: str, target: str, channel_identity: str) -> set[str]:
        # a citizen id is the channel identity it started on, so it moves too
        moved = set(await self.ledger.identities(joining)) | {channel_identity, joining}
        newest = await asyncio.to_thread(self._rekey, joining, target)
        for identity in sorted(moved):
            await self.redis.set(keys.identity(identity), target)
            await self.ledger.unregister(joining, identity)
            await self.ledger.register(target, identity, newest)
            await self.ledger.raise_cursor(identity, newest)
        await self.redis.delete(keys.session(joining), keys.identities(joining))
        return moved

    def _rekey(self, joining: str, target: str) -> int:
        """Move the joining citizen's transcript and tickets; return the newest message id."""
        with self.db.session() as session:
            session.execute(
                update(TranscriptMessage)
                .where(TranscriptMessage.citizen_id == joining)
                .values(citizen_id=target)
            )
            session.execute(
                update(Ticket).where(Ticket.citizen_id == joining).values(citizen_id=target)
            )
            newest = session.scalar(
                select(func.max(TranscriptMessage.id)).where(TranscriptMessage.citizen_id == target)
            )
            return int(newest or 0)

    async def _say(
        self, citizen_id: str, channel_identity: str, channel: str, text: str, key: str
    ) -> list[OutgoingMessage]:
        lang = (await self.sessions.get(citizen_id)).lang
        reply = OutgoingMessage(text=say(key, lang), sender="system")
        return await self._record(citizen_id, channel_identity, channel, text, [reply])

    async def _record(
        self,
        citizen_id: str,
        channel_identity: str,
        channel: str,
        text: str,
        replies: list[OutgoingMessage],
    ) -> list[OutgoingMessage]:
        stored = await asyncio.to_thread(
            self.transcript.record_turn, citizen_id, channel, text, replies
        )
        await self._announce(citizen_id, channel_identity, stored)
        return stored

    async def _announce(
        self, citizen_id: str, channel_identity: str, stored: list[OutgoingMessage]
    ) -> None:
        await self.ledger.after_turn(citizen_id, channel_identity, [m.id for m in stored])
        if stored:
            await self.redis.publish(keys.outbox_channel(citizen_id), str(stored[-1].id))
