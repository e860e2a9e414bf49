"""The conversation router: decides per message whether the bot or a person answers.

One turn = clean the text, resolve the citizen, take the citizen's lock, then either pass the
message to Rasa or to the human agent who holds the case, record everything in the transcript,
and hand the replies back to the channel. How a turn's replies are finished before they are
stored (simplified mode, confirmations, misunderstandings) is in turn.py.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Mapping

from redis.asyncio import Redis

from bot.conversation import render
from bot.conversation.inbound import clean
from bot.conversation.language import detect, normalise
from bot.conversation.ratelimit import RateLimited, RateLimiter
from bot.conversation.shortcuts import choose, is_more, is_repeat, yes_or_no
from bot.conversation.turn import Turn, apply_settings, confirmed, finish, more, more_choices
from bot.conversation.turn_lock import TurnLock
from bot.delivery.ledger import DeliveryLedger
from bot.delivery.linking import AccountLinker
from bot.errors import RasaUnavailable
from bot.handoff.dialogue import HandoffDialogue
from bot.handoff.queue import HandoffQueue, QueuePlace
from bot.messages import Button, ConversationState, IncomingMessage, OutgoingMessage, Reply
from bot.rasa.client import RasaClient
from bot.simple_mode.reminders import IdleReminders
from bot.simple_mode.rules import MORE_CHOICES_PAYLOAD
from bot.storage import keys
from bot.storage.redis_lean import LeanRedis
from bot.storage.sessions import Session, SessionStore
from bot.storage.transcript import Transcript
from bot.texts import text as say

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


class ConversationRouter:
    def __init__(
        self,
        redis: Redis,
        sessions: SessionStore,
        transcript: Transcript,
        rasa: RasaClient,
        handoff: HandoffQueue,
        max_message_chars: int,
        links: AccountLinker | None = None,
    ) -> None:
        self.redis = redis
        self.lean = LeanRedis(redis)  # the turn's two round trips (bot/storage/redis_lean.py)
        self.sessions = sessions
        self.transcript = transcript
        self.rasa = rasa
        self.handoff = handoff
        self.max_message_chars = max_message_chars
        self.links = links
        self.ledger = DeliveryLedger(redis)
        self.dialogue: HandoffDialogue | None = None  # offers, callbacks, rating (gateway sets)
        self.rate_limiter: RateLimiter | None = None  # the gateway sets it
        self.reminders: IdleReminders | None = None  # the gateway sets it
        # channel schemes whose identities may have several live connections (the gateway
        # sets it from the delivery's local sinks, e.g. "web")
        self.connection_schemes: frozenset[str] = frozenset()

    async def handle(
        self,
        channel_identity: str,
        message: IncomingMessage,
        remember: Mapping[str, str] | None = None,
    ) -> Reply:
        """One citizen message and the replies to it. `remember`: keys the channel wants set
        with the turn (the REST client that writes in the conversation), in its first round
        trip rather than one of their own."""
        text = clean(message.payload or message.text, self.max_message_chars)
        if self.links is not None:
            linked = await self.links.handle(channel_identity, message.channel, text)
            if linked is not None:
                return Reply(tuple(linked), await self.state(channel_identity))
        citizen_id, lock, session = await self._begin(channel_identity, message, text, remember)
        try:
            turn, stored, session = await self._turn(citizen_id, session, text, message)
            # one round trip for the end of the turn: the session, the lock, the idle clock; the
            # replies reach this channel identity directly, so push delivery must skip them there
            pipe = self.lean.pipeline()
            self.sessions.save_in(pipe, session)
            lock.release_in(pipe)
            if self.reminders is not None:
                self.reminders.touch_in(pipe, citizen_id, session.simple_mode)
            self.ledger.after_turn_in(pipe, citizen_id, channel_identity, [m.id for m in stored])
            results = await self.lean.execute(pipe)
        finally:
            await lock.release()  # only when the end of the turn did not get there
        if not results[1]:
            log.warning("a turn outlived its lock (held over %d s)", lock.timeout_ms // 1000)
        identities = int(results[-1])
        # wake push delivery only when someone else may need these replies: another channel
        # identity of the citizen, or other connections of this one (a second browser tab).
        # A citizen on one channel costs no fan-out (a transcript query) per turn.
        if stored and (identities > 1 or self.shares_connections(channel_identity)):
            await self.redis.publish(keys.outbox_channel(citizen_id), str(stored[-1].id))
        return Reply(tuple(stored), self._state(turn.session, turn.place))

    async def _begin(
        self,
        channel_identity: str,
        message: IncomingMessage,
        text: str,
        remember: Mapping[str, str] | None,
    ) -> tuple[str, TurnLock, Session]:
        """Resolve the citizen, count the message, take the citizen's turn lock and read the
        session, in one round trip in the usual case.

        The citizen id is guessed to be the channel identity itself (an identity is someone
        else's only after account linking) and checked in the same pipeline; the session read
        after SET NX is only used when the lock was ours. A linked identity costs three more
        round trips. Raises RateLimited (lock released) over the limit."""
        guess = channel_identity
        lock = TurnLock(self.redis, keys.conversation_lock(guess))
        pipe = self.lean.pipeline()
        pipe.get(keys.identity(channel_identity))
        for key, value in (remember or {}).items():
            pipe.set(key, value)
        now = 0.0
        if self.rate_limiter is not None:
            now = self.rate_limiter.count_in(pipe, channel_identity)
        lock.try_acquire_in(pipe)
        pipe.get(keys.session(guess))
        results = await self.lean.execute(pipe)
        got_lock = lock.acquired(results[-2])
        if self.rate_limiter is not None:
            lang = normalise(message.lang) or detect(text) or self.sessions.default_lang
            try:
                self.rate_limiter.verdict(int(results[1 + len(remember or {})]), now, lang)
            except RateLimited:
                await lock.release()
                raise
        linked = results[0].decode() if isinstance(results[0], bytes) else results[0]
        if linked and linked != guess:  # a linked identity: the turn is its citizen's
            await lock.release()
            lock = TurnLock(self.redis, keys.conversation_lock(linked))
            await lock.acquire()
            return linked, lock, await self.sessions.get(linked)
        if got_lock:
            return guess, lock, self.sessions.decode(guess, results[-1])
        await lock.acquire()  # another turn of this citizen is running: wait for it
        return guess, lock, await self.sessions.get(guess)

    async def _turn(
        self, citizen_id: str, session: Session, text: str, message: IncomingMessage
    ) -> tuple[Turn, list[OutgoingMessage], Session]:
        """The turn itself, under the lock: who answers, then the transcript."""
        explicit = normalise(message.lang)
        detected = None if message.payload or session.lang_pinned else detect(text)
        session = session.but(lang=explicit or detected or session.lang, channel=message.channel)
        if session.mode == "bot":
            text = choose(text, session.choices, session.simple_mode)
        if (
            session.mode == "bot"
            and session.held
            and (yes_or_no(text) is not None or text == render.HANDOFF_PAYLOAD)
        ):
            turn, text = confirmed(session, text)
            if turn is None:  # "no": the form asks that question again
                turn = await self._to_bot(session.but(held=(), held_field=None), text, message)
        elif session.mode == "bot" and is_repeat(text):
            turn = Turn(session, await self._repeat(session), rendered=True)
        elif session.mode == "bot" and is_more(text) and session.more:
            turn = more(session)
        elif session.mode == "bot" and text == MORE_CHOICES_PAYLOAD and session.more_choices:
            turn = more_choices(session)
        elif session.mode == "bot" and session.pending and self.dialogue is not None:
            turn = await self._pending(session, text, message)
        elif session.mode == "bot":
            turn = await self._to_bot(session, text, message)
        else:
            turn = await self._to_agent(session, text)
        turn = finish(turn)
        record = (citizen_id, message.channel, text, turn.replies, turn.session.ticket_id)
        stored = self.transcript.record_turn_now(*record)  # SQLite, lock free: no thread
        if stored is None:
            stored = await asyncio.to_thread(self.transcript.record_turn, *record)
        session = turn.session
        if stored:
            session = session.but(last_reply_ids=tuple(m.id for m in stored))
        return turn, stored, session

    def shares_connections(self, channel_identity: str) -> bool:
        return channel_identity.partition(":")[0] in self.connection_schemes

    async def _to_bot(self, session: Session, text: str, message: IncomingMessage) -> Turn:
        metadata = {
            **{k: v for k, v in message.metadata.items() if k in ("location", "photo")},
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
        if not replies:
            # Rasa answered but said nothing: its action server failed. Same as Rasa down.
            log.warning("empty reply from Rasa (action server down?)")
            apology = render.system(
                "rasa_down", session.lang, (render.person_button(session.lang),)
            )
            return Turn(session, [apology])
        session = apply_settings(session, replies)
        if any(r.custom and r.custom.get("repeat") for r in replies):
            return Turn(session, await self._repeat(session), rendered=True)
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

    async def _pending(self, session: Session, text: str, message: IncomingMessage) -> Turn:
        """A gateway-side exchange around a handoff (see bot/handoff/dialogue.py)."""
        assert self.dialogue is not None
        step = await self.dialogue.handle(session, text)
        if step is None:  # not part of the exchange: it ends and the bot answers
            cleared = session.but(pending=None, pending_ticket=None, pending_value=None)
            return await self._to_bot(cleared, text, message)
        if step.open_live:
            return await self._open_ticket(
                step.session, [], reason=step.reason, topic=step.topic, offer=False
            )
        return Turn(step.session, step.replies, step.place)

    async def _open_ticket(
        self,
        session: Session,
        replies: list[OutgoingMessage],
        *,
        reason: str,
        topic: str | None,
        offer: bool = True,
    ) -> Turn:
        if offer and self.dialogue is not None:  # out of hours or a long wait
            instead = await self.dialogue.offer_instead(session, reason, topic)
            if instead is not None:
                return Turn(instead.session, [*replies, *instead.replies])
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
        await self.handoff.citizen_message(ticket_id)
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


def _wants_person(text: str) -> bool:
    return text == render.HANDOFF_PAYLOAD or bool(_WANTS_PERSON.match(text))
