"""The conversation router: decides per message whether the bot or a person answers.

One turn = clean the text, resolve the citizen, take the citizen's lock, then either pass the
message to Rasa or to the human agent who holds the case, record everything in the transcript,
and hand the replies back to the channel.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass

from redis.asyncio import Redis

from bot import keys, render
from bot.errors import RasaUnavailable
from bot.handoff import HandoffQueue, QueuePlace
from bot.inbound import clean
from bot.language import detect, normalise
from bot.messages import Button, ConversationState, IncomingMessage, OutgoingMessage, Reply
from bot.rasa_client import RasaClient
from bot.sessions import Session, SessionStore
from bot.texts import text as say
from bot.transcript import Transcript

log = logging.getLogger(__name__)

CANCEL_PAYLOAD = "/cancel"
_WANTS_PERSON = re.compile(
    r"^\s*(0|human|person|agent|operator|talk to (a )?(person|human|someone)"
    r"|人工|转人工|人工服务|真人)\s*$",
    re.IGNORECASE,
)
_CANCEL = re.compile(
    r"^\s*(cancel|stop|stop waiting|quit|取消|不等了|退出|算了)\s*[.!。！]?\s*$", re.I
)


@dataclass(frozen=True)
class Turn:
    session: Session
    replies: list[OutgoingMessage]
    place: QueuePlace | None = None


class ConversationRouter:
    def __init__(
        self,
        redis: Redis,
        sessions: SessionStore,
        transcript: Transcript,
        rasa: RasaClient,
        handoff: HandoffQueue,
        max_message_chars: int,
    ) -> None:
        self.redis = redis
        self.sessions = sessions
        self.transcript = transcript
        self.rasa = rasa
        self.handoff = handoff
        self.max_message_chars = max_message_chars

    async def handle(self, channel_identity: str, message: IncomingMessage) -> Reply:
        text = clean(message.payload or message.text, self.max_message_chars)
        citizen_id = await self.sessions.resolve(channel_identity)
        lock = self.redis.lock(keys.conversation_lock(citizen_id), timeout=120, blocking_timeout=60)
        async with lock:
            session = await self.sessions.get(citizen_id)
            explicit = normalise(message.lang)
            detected = None if message.payload or session.lang_pinned else detect(text)
            session = session.but(
                lang=explicit or detected or session.lang, channel=message.channel
            )
            if session.mode == "bot":
                turn = await self._to_bot(session, text, message)
            else:
                turn = await self._to_agent(session, text)
            stored = await asyncio.to_thread(
                self.transcript.record_turn,
                citizen_id,
                message.channel,
                text,
                turn.replies,
                turn.session.ticket_id,
            )
            session = turn.session
            if stored:
                session = session.but(last_reply_ids=tuple(m.id for m in stored))
            await self.sessions.save(session)
        if stored:
            await self.redis.publish(keys.outbox_channel(citizen_id), str(stored[-1].id))
        return Reply(tuple(stored), self._state(turn.session, turn.place))

    async def _to_bot(self, session: Session, text: str, message: IncomingMessage) -> Turn:
        metadata = {
            "lang": session.lang,
            "simple_mode": session.simple_mode,
            "channel": message.channel,
        }
        try:
            responses = await self.rasa.send(session.citizen_id, text, metadata)
        except RasaUnavailable as exc:
            log.warning("rasa unavailable for a turn: %s", exc)
            if _wants_person(text):
                return await self._open_ticket(session, [], reason="requested", topic=None)
            apology = render.system(
                "rasa_down", session.lang, (render.person_button(session.lang),)
            )
            return Turn(session, [apology])
        replies = render.from_rasa(responses)
        session = _apply_settings(session, replies)
        if any(r.custom and r.custom.get("repeat") for r in replies):
            replies = await self._repeat(session)
        handoff = next(
            (r.custom["handoff"] for r in replies if r.custom and "handoff" in r.custom), None
        )
        if handoff is not None:
            reason = str(handoff.get("reason") or "requested")
            topic = handoff.get("topic")
            return await self._open_ticket(
                session, replies, reason=reason, topic=str(topic) if topic else None
            )
        return Turn(session, replies)

    async def _repeat(self, session: Session) -> list[OutgoingMessage]:
        """Copies of the last messages the citizen got ('repeat' / '再说一遍')."""
        earlier = await asyncio.to_thread(self.transcript.get_many, session.last_reply_ids)
        return [
            OutgoingMessage(text=m.text, sender=m.sender, buttons=m.buttons, custom=None)
            for m in earlier
            if m.text
        ]

    async def _open_ticket(
        self, session: Session, replies: list[OutgoingMessage], *, reason: str, topic: str | None
    ) -> Turn:
        place = await self.handoff.open(
            session.citizen_id,
            reason=reason,
            topic=topic,
            lang=session.lang,
            simple_mode=session.simple_mode,
        )
        session = session.but(mode="waiting_for_agent", ticket_id=place.ticket_id)
        queued = render.system(
            "queued",
            session.lang,
            (Button(say("cancel_waiting", session.lang), CANCEL_PAYLOAD),),
            position=place.position,
            ahead=place.position - 1,
            minutes=max(1, round(place.estimated_wait_s / 60)),
        )
        return Turn(session, [*replies, queued], place)

    async def _to_agent(self, session: Session, text: str) -> Turn:
        ticket_id = session.ticket_id
        if ticket_id is None:  # inconsistent session: fall back to the bot
            return Turn(session.but(mode="bot"), [])
        if session.mode == "waiting_for_agent" and (text == CANCEL_PAYLOAD or _CANCEL.match(text)):
            await self.handoff.cancel(ticket_id)
            reply = render.system("handoff_cancelled", session.lang)
            return Turn(session.but(mode="bot", ticket_id=None), [reply])
        await self.handoff.record(ticket_id, "citizen_replied")
        if session.mode == "waiting_for_agent":
            place = await self.handoff.place(ticket_id)
            return Turn(session, [], place)
        return Turn(session, [])

    def _state(self, session: Session, place: QueuePlace | None) -> ConversationState:
        return ConversationState(
            mode=session.mode,
            lang=session.lang,
            simple_mode=session.simple_mode,
            queue_position=place.position if place else None,
            estimated_wait_s=place.estimated_wait_s if place else None,
        )

    async def state(self, channel_identity: str) -> ConversationState:
        citizen_id = await self.sessions.resolve(channel_identity)
        session = await self.sessions.get(citizen_id)
        place = None
        if session.mode == "waiting_for_agent" and session.ticket_id is not None:
            place = await self.handoff.place(session.ticket_id)
        return self._state(session, place)

    async def messages_after(self, channel_identity: str, after: int) -> list[OutgoingMessage]:
        citizen_id = await self.sessions.resolve(channel_identity)
        return await asyncio.to_thread(self.transcript.outgoing_after, citizen_id, after)


def _apply_settings(session: Session, replies: list[OutgoingMessage]) -> Session:
    """Apply `{"set": {...}}` custom payloads (simplified mode, language) to the session."""
    for reply in replies:
        changes = (reply.custom or {}).get("set")
        if not isinstance(changes, dict):
            continue
        if isinstance(changes.get("simple_mode"), bool):
            session = session.but(simple_mode=changes["simple_mode"])
        lang = normalise(changes.get("lang")) if isinstance(changes.get("lang"), str) else None
        if lang:
            session = session.but(lang=lang, lang_pinned=True)
    return session


def _wants_person(text: str) -> bool:
    return text == render.HANDOFF_PAYLOAD or bool(_WANTS_PERSON.match(text))
