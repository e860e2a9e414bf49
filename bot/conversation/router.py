"""The conversation router: decides per message whether the bot or a person answers.

One turn = clean the text, resolve the citizen, take the citizen's lock, then either pass the
message to Rasa or to the human agent who holds the case, record everything in the transcript,
and hand the replies back to the channel. How a turn's replies are finished before they are
stored (simplified mode, confirmations, misunderstandings) is in turn.py; the turns around a
person (a ticket, waiting, an agent) are in handoff_turns.py.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from redis.asyncio import Redis

from bot.cases.dialogue import CaseDialogue
from bot.conversation import render
from bot.conversation.begin import begin
from bot.conversation.handoff_turns import open_ticket, to_agent
from bot.conversation.inbound import clean
from bot.conversation.language import detect, normalise, other_language
from bot.conversation.ratelimit import RateLimiter
from bot.conversation.shortcuts import choose, is_more, is_repeat, yes_or_no
from bot.conversation.turn import Turn, apply_settings, confirmed, finish, more, more_choices
from bot.delivery.ledger import DeliveryLedger
from bot.delivery.linking import AccountLinker
from bot.errors import RasaUnavailable
from bot.handoff.dialogue import HandoffDialogue
from bot.handoff.queue import HandoffQueue, QueuePlace
from bot.messages import (
    ConversationState,
    IncomingMessage,
    OutgoingMessage,
    Reply,
)
from bot.outcomes import events as outcomes
from bot.rasa.client import RasaClient
from bot.rasa.tracker import form_data
from bot.simple_mode.reminders import IdleReminders
from bot.simple_mode.rules import MORE_CHOICES_PAYLOAD
from bot.storage import keys
from bot.storage.replies import Replies
from bot.storage.sessions import Session, SessionStore
from bot.storage.transcript import Transcript
from bot.texts import text as say
from common.vocabulary import wants_person

log = logging.getLogger(__name__)


class ConversationRouter:
    def __init__(
        self,
        redis: Redis,
        sessions: SessionStore,
        transcript: Transcript,
        rasa: RasaClient,
        handoff: HandoffQueue,
        max_message_chars: int,
        *,
        links: AccountLinker | None = None,
        dialogue: HandoffDialogue | None = None,
        rate_limiter: RateLimiter | None = None,
        reminders: IdleReminders | None = None,
        connection_schemes: frozenset[str] = frozenset(),
        lock_wait_s: float = 60.0,
        cases: CaseDialogue | None = None,
    ) -> None:
        """Complete when built. Optional parts: `links` (account linking), `dialogue`
        (offers, callbacks, rating), `rate_limiter`, `reminders` (simplified mode's idle
        clock), `cases` (more information for a case, ratings). `connection_schemes`: channel
        schemes whose identities may have several live connections (e.g. "web");
        `lock_wait_s`: how long a turn waits for the citizen's previous one."""
        self.redis = redis
        self.sessions = sessions
        self.transcript = transcript
        self.rasa = rasa
        self.handoff = handoff
        self.max_message_chars = max_message_chars
        self.links = links
        self.dialogue = dialogue
        self.rate_limiter = rate_limiter
        self.reminders = reminders
        self.connection_schemes = connection_schemes
        self.lock_wait_s = lock_wait_s
        self.cases = cases
        self.ledger = DeliveryLedger(redis)

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
        citizen_id, lock, session = await begin(
            self.redis, self.sessions, self.rate_limiter, self.lock_wait_s,
            channel_identity, message, text, remember,
        )  # fmt: skip
        try:
            turn, stored, session, events = await self._turn(citizen_id, session, text, message)
            # one round trip for the end of the turn: the session, the lock, the idle clock; the
            # replies reach this channel identity directly, so push delivery must skip them there
            pipe = self.redis.pipeline(transaction=False)
            replies = Replies(pipe)
            self.sessions.save_in(pipe, session)
            lock.release_in(pipe, replies)
            outcomes.queue_in(pipe, events)
            if self.reminders is not None:
                self.reminders.touch_in(pipe, citizen_id, session.simple_mode)
            ids = [m.id for m in stored]
            self.ledger.after_turn_in(pipe, replies, citizen_id, channel_identity, ids)
            got = replies.read(await pipe.execute())
            outlived = not lock.released(got["released"])
        finally:
            await lock.release()  # only when the end of the turn did not get there
        outcomes.count(events)
        if outlived:
            log.warning("a turn outlived its lock (held over %d s)", lock.timeout_ms // 1000)
        # wake push delivery only when someone else may need these replies: another channel
        # identity of the citizen, or other connections of this one (a second browser tab).
        # A citizen on one channel costs no fan-out (a transcript query) per turn.
        if stored and (int(got["identities"]) > 1 or self.shares_connections(channel_identity)):
            await self.redis.publish(keys.outbox_channel(citizen_id), str(stored[-1].id))
        return Reply(tuple(stored), self._state(turn.session, turn.place))

    async def _turn(
        self, citizen_id: str, session: Session, text: str, message: IncomingMessage
    ) -> tuple[Turn, list[OutgoingMessage], Session, list[dict[str, Any]]]:
        """The turn itself, under the lock: who answers, then the transcript and the turn's
        outcome events (bot/outcomes/events.py)."""
        explicit = normalise(message.lang)
        detected = None if message.payload or session.lang_pinned else detect(text)
        session = session.but(lang=explicit or detected or session.lang, channel=message.channel)
        if session.mode == "bot":
            text = choose(text, session.choices, session.simple_mode)
            turn, text = await self._bot_turn(session, text, message)
        else:
            if session.mode == "waiting_for_agent":  # '1' for 'Stop waiting'
                text = choose(text, session.choices, simple_mode=False)
            turn = await to_agent(self.redis, self.handoff, session, text)
        marks = outcomes.markers(turn.replies)  # finish() drops these control-only replies
        turn = finish(turn)
        if session.forgotten:  # retention deleted the earlier conversation: say so, once
            notice = OutgoingMessage(say("forgotten", turn.session.lang), sender="system")
            turn = replace(turn, replies=[notice, *turn.replies],
                           session=turn.session.but(forgotten=None))  # fmt: skip
        record = (citizen_id, message.channel, text, turn.replies, turn.session.ticket_id)
        ids: list[int] = []
        stored = self.transcript.record_turn_now(*record, ids)  # SQLite, lock free: no thread
        if stored is None:
            ids.clear()
            stored = await asyncio.to_thread(self.transcript.record_turn, *record, citizen_ids=ids)
        events = outcomes.events_of_turn(
            session, turn.session, marks, ids[0] if ids else None, self.handoff.clock.now()
        )
        session = turn.session
        if stored:
            session = session.but(last_reply_ids=tuple(m.id for m in stored))
        return turn, stored, session, events

    async def _bot_turn(
        self, session: Session, text: str, message: IncomingMessage
    ) -> tuple[Turn, str]:
        """Who answers a citizen the bot is talking to: the gateway itself for the answer to
        "Is that right?", "repeat", "more" and its own exchanges (a case, a handoff offer), else
        Rasa. With the text as recorded (a "no" becomes the request to change that field)."""
        held = bool(session.held) and not is_repeat(text)
        if held and yes_or_no(text) is None:
            # not 'yes' to "You said: ... Is that right?": the answer is not kept
            session = await self._forget_held(session, message)
            held = False
        if held:
            turn, text = confirmed(session, text)
            if turn is None:  # "no": the form asks that question again
                turn = await self._to_bot(session.but(held=(), held_field=None), text, message)
            return turn, text
        if not message.payload and other_language(text):
            both = "\n".join(say("only_en_zh", lang) for lang in ("en", "zh"))  # both: either
            return Turn(session, [OutgoingMessage(text=both, sender="system")]), text
        if is_repeat(text):
            return await self._repeat_turn(session), text
        if is_more(text) and session.more:
            return more(session), text
        if text == MORE_CHOICES_PAYLOAD and session.more_choices:
            return more_choices(session), text
        if self.cases is not None and self.cases.wants(session, text) and not wants_person(text):
            case_turn = await self._case_step(session, text, message)
            if case_turn is not None:
                return case_turn, text
        if session.pending and self.dialogue is not None:
            return await self._pending(session, text, message), text
        return await self._to_bot(session, text, message), text

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
            if wants_person(text):
                return await open_ticket(
                    self.handoff, self.dialogue, session, [], reason="requested", topic=None
                )
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
            return await self._repeat_turn(session)
        handoff = next(
            (r.custom["handoff"] for r in replies if r.custom and "handoff" in r.custom), None
        )
        if handoff is not None:
            reason = str(handoff.get("reason") or "requested")
            topic = handoff.get("topic")
            return await open_ticket(
                self.handoff,
                self.dialogue,
                session,
                replies,
                reason=reason,
                topic=str(topic) if topic else None,
            )
        return Turn(session, replies)

    async def _forget_held(self, session: Session, message: IncomingMessage) -> Session:
        """Simplified mode: the answer awaiting "Is that right?" was not confirmed, so the form
        forgets it ('change <field>', its replies unused) before the message is handled."""
        forget = say("change_field", session.lang, field=session.held_field or "")
        metadata = {"lang": session.lang, "simple_mode": True, "channel": message.channel}
        try:
            await self.rasa.send(session.citizen_id, forget, metadata)
        except RasaUnavailable as exc:
            log.warning("could not drop an unconfirmed answer: %s", exc)
        return session.but(held=(), held_field=None)

    async def _repeat_turn(self, session: Session) -> Turn:
        """'repeat' / '再说一遍': copies of the last messages the citizen got; when there are
        none yet (a new conversation), say so and what can be done, never an empty reply."""
        earlier = await asyncio.to_thread(self.transcript.get_many, session.last_reply_ids)
        copies = [
            OutgoingMessage(text=m.text, sender=m.sender, buttons=m.buttons, custom=None)
            for m in earlier
            if m.text
        ]
        if copies:
            return Turn(session, copies, rendered=True)
        person = (render.person_button(session.lang),)
        return Turn(session, [render.system("nothing_to_repeat", session.lang, person)])

    async def _case_step(
        self, session: Session, text: str, message: IncomingMessage
    ) -> Turn | None:
        """More information for a case, or a case's rating (bot/cases/dialogue.py); None when
        the message is not for a case. A form in progress comes first."""
        assert self.cases is not None
        form_active = False
        if session.awaiting_cases and session.pending is None:
            form_active = (await form_data(self.redis, session.citizen_id)).active_form is not None
        step = await self.cases.handle(session, text, message.metadata, form_active)
        if step is None:
            return None
        return Turn(step.session, step.replies)

    async def _pending(self, session: Session, text: str, message: IncomingMessage) -> Turn:
        """A gateway-side exchange around a handoff (see bot/handoff/dialogue.py)."""
        assert self.dialogue is not None
        step = await self.dialogue.handle(session, text)
        if step is None:  # not part of the exchange: it ends and the bot answers
            cleared = session.but(pending=None, pending_ticket=None, pending_value=None)
            return await self._to_bot(cleared, text, message)
        if step.open_live:
            return await open_ticket(
                self.handoff,
                self.dialogue,
                step.session,
                [],
                reason=step.reason,
                topic=step.topic,
                offer=False,
            )
        return Turn(step.session, step.replies, step.place)

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
