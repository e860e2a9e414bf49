"""The gateway's short exchanges around a handoff, outside Rasa.

- Out of hours, or when the estimated wait is over CIVIC_MAX_WAIT_S: offer to leave a message
  or book a callback (both become tickets), or keep waiting (in hours only).
- After an agent closes a ticket: the 1-5 rating.

State lives in the session (`pending`, `pending_ticket`, `pending_value`). Anything the
citizen writes that does not fit the exchange ends it and goes to the bot as usual.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import dateparser

from bot.clock import Clock
from bot.handoff.queue import HandoffQueue, QueuePlace
from bot.handoff.settings import HandoffSettings
from bot.handoff.texts import say, system
from bot.messages import Button, OutgoingMessage
from bot.storage.sessions import Session
from common.vocabulary import is_cancel, is_restart

LEAVE_MESSAGE, BOOK_CALLBACK, KEEP_WAITING = "/leave_message", "/book_callback", "/keep_waiting"
_RATE = re.compile(r"^\s*(?:/rate\s+)?([1-5])\s*(?:/\s*5)?\s*[.!。！]?\s*$")
_PHONE = re.compile(r"^\+?[\d\s().-]{6,25}$")


@dataclass(frozen=True)
class Step:
    """The outcome of one citizen message in a pending exchange."""

    session: Session
    replies: list[OutgoingMessage]
    place: QueuePlace | None = None
    open_live: bool = False  # the citizen chose to wait: the router opens a live ticket
    reason: str = "requested"
    topic: str | None = None


def mask_phone(number: str) -> str:
    digits = re.sub(r"\D", "", number)
    return "*" * max(0, len(digits) - 3) + digits[-3:]


class HandoffDialogue:
    def __init__(self, queue: HandoffQueue, settings: HandoffSettings, clock: Clock) -> None:
        self.queue = queue
        self.settings = settings
        self.clock = clock

    async def offer_instead(self, session: Session, reason: str, topic: str | None) -> Step | None:
        """An offer when the office is closed or the wait is too long; None to queue now."""
        now = self.clock.now()
        hours = self.settings.office_hours
        context = json.dumps({"reason": reason, "topic": topic, "why": "closed"})
        buttons: tuple[Button, ...] = (
            Button(say("btn_leave_message", session.lang), LEAVE_MESSAGE),
            Button(say("btn_callback", session.lang), BOOK_CALLBACK),
        )
        if not hours.is_open(now):
            opening = hours.next_opening(now)
            when = opening.strftime("%a %Y-%m-%d %H:%M UTC") if opening else "-"
            offer = system("offer_closed", session.lang, buttons, next=when)
        else:
            waiting = [t for t in await self.queue.waiting() if t.kind == "live"]
            estimate = await self.queue.estimate_wait(len(waiting) + 1)
            if estimate <= self.settings.max_wait_s:
                return None
            context = json.dumps({"reason": reason, "topic": topic, "why": "long_wait"})
            buttons = (*buttons, Button(say("btn_wait", session.lang), KEEP_WAITING))
            offer = system(
                "offer_long_wait", session.lang, buttons, minutes=max(1, round(estimate / 60))
            )
        return Step(session.but(pending="offer", pending_value=context), [offer])

    async def handle(self, session: Session, text: str) -> Step | None:
        """Continue the pending exchange; None when the message is not part of it."""
        pending = session.pending
        if pending == "rating":
            return self._rating(session, text)
        if pending is None or is_restart(text):  # starting over ends the exchange
            return None
        if is_cancel(text):
            done = _clear(session)
            return Step(done, [system("offer_cancelled", session.lang)])
        if pending == "offer":
            return await self._offer(session, text)
        if pending == "leave_message":
            return await self._message(session, text)
        if pending == "callback_time":
            return self._callback_time(session, text)
        if pending == "callback_phone":
            return await self._callback_phone(session, text)
        return None

    def _rating(self, session: Session, text: str) -> Step | None:
        match = _RATE.match(text)
        if match is None or session.pending_ticket is None:
            return None
        self.queue.rate(session.pending_ticket, int(match.group(1)))
        return Step(_clear(session), [system("rated", session.lang)])

    async def _offer(self, session: Session, text: str) -> Step | None:
        text = _OFFER_WORDS.get(_words(text), text)  # the choice as written on its button
        if text == LEAVE_MESSAGE:
            return Step(session.but(pending="leave_message"), [system("ask_message", session.lang)])
        if text == BOOK_CALLBACK:
            return Step(
                session.but(pending="callback_time"), [system("ask_callback_time", session.lang)]
            )
        context = _context(session)
        if text == KEEP_WAITING and context.get("why") == "long_wait":
            topic = context.get("topic")
            return Step(
                _clear(session),
                [],
                open_live=True,
                reason=str(context.get("reason") or "requested"),
                topic=str(topic) if topic else None,
            )
        return None

    async def _message(self, session: Session, text: str) -> Step:
        context = _context(session)
        detail = {"message": text[:2000], "why": context.get("why")}
        place = await self._open(session, context, "message", detail)
        reply = system("message_saved", session.lang, ticket=place.ticket_id)
        return Step(_clear(session), [reply])

    def _callback_time(self, session: Session, text: str) -> Step:
        now = self.clock.now()
        zone = getattr(self.settings.office_hours.zone, "key", "UTC")
        parsed = dateparser.parse(
            text,
            languages=["en", "zh"],
            settings={
                "PREFER_DATES_FROM": "future",
                "TIMEZONE": zone,
                "TO_TIMEZONE": "UTC",
                "RETURN_AS_TIMEZONE_AWARE": True,
                "RELATIVE_BASE": now.astimezone(self.settings.office_hours.zone).replace(
                    tzinfo=None
                ),
            },
        )
        if parsed is None or parsed <= now or not self.settings.office_hours.is_open(parsed):
            return Step(session, [system("callback_time_bad", session.lang)])
        context = {**_context(session), "callback_at": parsed.astimezone(UTC).isoformat()}
        return Step(
            session.but(pending="callback_phone", pending_value=json.dumps(context)),
            [system("ask_phone", session.lang)],
        )

    async def _callback_phone(self, session: Session, text: str) -> Step:
        digits = re.sub(r"\D", "", text)
        if not _PHONE.match(text) or not 6 <= len(digits) <= 15:
            return Step(session, [system("phone_bad", session.lang)])
        context = _context(session)
        when = datetime.fromisoformat(str(context["callback_at"]))
        detail = {"why": context.get("why"), "phone": mask_phone(text)}
        place = await self._open(
            session, context, "callback", detail, callback_at=when, contact=text.strip()[:40]
        )
        reply = system(
            "callback_booked",
            session.lang,
            when=when.strftime("%Y-%m-%d %H:%M"),
            ticket=place.ticket_id,
        )
        return Step(_clear(session), [reply])

    async def _open(
        self,
        session: Session,
        context: dict[str, Any],
        kind: str,
        detail: dict[str, Any],
        *,
        callback_at: datetime | None = None,
        contact: str | None = None,
    ) -> QueuePlace:
        """A message or callback ticket, with the reason and topic of the offer it answers."""
        return await self.queue.open(
            session.citizen_id,
            reason=str(context.get("reason") or "requested"),
            topic=context.get("topic"),
            lang=session.lang,
            simple_mode=session.simple_mode,
            kind=kind,
            detail=detail,
            callback_at=callback_at,
            contact=contact,
        )


def _words(text: str) -> str:
    return re.sub(r"[\s.!。！]+", " ", text.casefold()).strip()


# Every shown choice also works by its words (its number works through the session's choices).
_OFFER_WORDS = {
    _words(say(key, lang)): payload
    for key, payload in (
        ("btn_leave_message", LEAVE_MESSAGE),
        ("btn_callback", BOOK_CALLBACK),
        ("btn_wait", KEEP_WAITING),
    )
    for lang in ("en", "zh")
}


def _clear(session: Session) -> Session:
    return session.but(pending=None, pending_ticket=None, pending_value=None)


def _context(session: Session) -> dict[str, Any]:
    try:
        data = json.loads(session.pending_value or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
