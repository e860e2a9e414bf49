"""The citizen's side of a case, inside the conversation (the router calls it before Rasa):

- "more information needed": the citizen's next message (text or photo) is attached to the
  case, the case goes back to review and the citizen is told it arrived. A form or a handoff
  in progress comes first (the case waits); with several cases waiting, the citizen picks one
  from a numbered list and the message they sent is attached to it;
- the rating after a final status (the buttons carry the case's reference and the value).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.cases.case import Case, CaseInputError
from bot.cases.reviews import REVIEW_BELOW
from bot.cases.store import CaseStore
from bot.cases.texts import INFO_PAYLOAD, RATE_PAYLOAD, say
from bot.errors import NotFound, StoreUnavailable
from bot.messages import Button, OutgoingMessage
from bot.storage.sessions import Session
from common.vocabulary import is_cancel

log = logging.getLogger(__name__)
PICK = "case_pick"
_RATE = re.compile(rf"^{re.escape(RATE_PAYLOAD)}\s+(RC-\d{{4}}-\d{{6,}})\s+([1-5])$")
_INFO = re.compile(rf"^{re.escape(INFO_PAYLOAD)}\s+(RC-\d{{4}}-\d{{6,}})$")


@dataclass(frozen=True)
class Step:
    session: Session
    replies: list[OutgoingMessage]


def _system(text: str, buttons: tuple[Button, ...] = ()) -> OutgoingMessage:
    return OutgoingMessage(text=text, sender="system", buttons=buttons)


class CaseDialogue:
    def __init__(self, store: CaseStore, on_change: Callable[[], None] | None = None) -> None:
        self.store = store
        self.on_change = on_change  # wakes the outbox (the addition is handed over)

    def wants(self, session: Session, text: str) -> bool:
        """Whether this message is for a case (no I/O: decided from the session and text)."""
        if _RATE.match(text) or _INFO.match(text) or session.pending == PICK:
            return True
        return bool(session.awaiting_cases) and session.pending is None

    async def handle(
        self, session: Session, text: str, metadata: Mapping[str, Any], form_active: bool
    ) -> Step | None:
        """The case step for this message; None when it is not for a case (the bot answers)."""
        rate = _RATE.match(text)
        if rate:
            return await self._rate(session, rate.group(1), int(rate.group(2)))
        pick = _INFO.match(text)
        if session.pending == PICK:
            if pick:
                held = _held(session)
                cleared = session.but(pending=None, pending_value=None)
                return await self._attach(cleared, pick.group(1), held["text"], held["photo"])
            if is_cancel(text):
                return Step(session.but(pending=None, pending_value=None), [])
            return None
        if not session.awaiting_cases or form_active or text.startswith("/"):
            return None
        try:
            waiting = await asyncio.to_thread(self.store.awaiting, session.citizen_id)
        except StoreUnavailable as exc:
            log.warning("cases waiting for information: %s", exc)
            return None
        refs = tuple(c.reference for c in waiting)
        session = session.but(awaiting_cases=refs)
        photo = metadata.get("photo") if isinstance(metadata.get("photo"), Mapping) else None
        if not waiting:
            return None
        if len(waiting) == 1:
            return await self._attach(session, refs[0], text, photo)
        return self._ask_which(session, waiting, text, photo)

    def _ask_which(
        self, session: Session, waiting: list[Case], text: str, photo: Mapping[str, Any] | None
    ) -> Step:
        lang = session.lang
        buttons = tuple(
            Button(
                f"{c.reference} {self.store.workflow(c.form).title.get(lang) or c.form}",
                f"{INFO_PAYLOAD} {c.reference}",
            )
            for c in waiting
        )
        held = json.dumps({"text": text, "photo": dict(photo) if photo else None})
        return Step(session.but(pending=PICK, pending_value=held),
                    [_system(say("info_pick", lang), buttons)])  # fmt: skip

    async def _attach(
        self, session: Session, reference: str, text: str | None, photo: Mapping[str, Any] | None
    ) -> Step:
        lang = session.lang
        try:
            await asyncio.to_thread(
                self.store.add_citizen_info, reference, session.citizen_id, text, photo
            )
        except (NotFound, CaseInputError):
            remaining = tuple(r for r in session.awaiting_cases if r != reference)
            return Step(session.but(awaiting_cases=remaining), [_system(say("info_failed", lang))])
        except StoreUnavailable as exc:
            log.warning("case addition failed: %s", exc)
            return Step(session, [_system(say("info_failed", lang))])
        if self.on_change is not None:
            self.on_change()
        remaining = tuple(r for r in session.awaiting_cases if r != reference)
        reply = _system(say("info_received", lang, reference=reference))
        return Step(session.but(awaiting_cases=remaining), [reply])

    async def _rate(self, session: Session, reference: str, value: int) -> Step:
        lang = session.lang
        try:
            await asyncio.to_thread(self.store.rate, reference, session.citizen_id, value)
        except (NotFound, CaseInputError):
            return Step(session, [_system(say("info_pick_bad", lang))])
        key = "rated_low" if value < REVIEW_BELOW else "rated"
        return Step(session, [_system(say(key, lang, reference=reference))])


def _held(session: Session) -> dict[str, Any]:
    try:
        data = json.loads(session.pending_value or "{}")
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    photo = data.get("photo")
    return {"text": data.get("text"), "photo": photo if isinstance(photo, dict) else None}
