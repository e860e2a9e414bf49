"""A turn's answer, and how it is finished before it is stored and sent.

Pure steps on the citizen's session, no I/O: drop control-only replies, count
misunderstandings, hold a form answer for confirmation and shape the replies for simplified
mode (`finish`); the answer to "Is that right?" (`confirmed`); the next part of a long answer
(`more`, `more_choices`); and the session settings a reply carries (`apply_settings`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.conversation import render
from bot.conversation.language import normalise
from bot.conversation.shortcuts import ANSWER_NO, ANSWER_YES, yes_or_no
from bot.handoff.queue import QueuePlace
from bot.messages import Button, OutgoingMessage
from bot.simple_mode.rules import simplify
from bot.storage.sessions import Session
from bot.texts import text as say


@dataclass(frozen=True)
class Turn:
    session: Session
    replies: list[OutgoingMessage]
    place: QueuePlace | None = None
    rendered: bool = False  # already in its final form (a repeat): not simplified again


def finish(turn: Turn) -> Turn:
    """Drop control-only replies, count misunderstandings, apply simplified mode."""
    session = turn.session
    control = [r.custom or {} for r in turn.replies]
    replies = [r for r in turn.replies if r.text or r.buttons]
    if any(c.get("misunderstood") for c in control):
        session = session.but(failures=session.failures + 1)
        if session.failures >= 2 and session.mode == "bot":
            replies.append(render.system("offer_help", session.lang, _help_choices(session)))
            session = session.but(failures=0)
    elif turn.replies and session.mode == "bot":
        session = session.but(failures=0)
    if turn.rendered or not replies:
        return Turn(session, replies, turn.place, rendered=True)
    accepted = next((c["accepted"] for c in control if isinstance(c.get("accepted"), dict)), None)
    if session.simple_mode and accepted is not None and session.mode == "bot":
        session, replies = _hold_for_confirmation(session, replies, accepted)
    elif session.held:
        session = session.but(held=(), held_field=None)
    if session.simple_mode:
        simple = simplify(replies, session.lang, person=session.mode == "bot")
        session = session.but(
            choices=simple.choices,
            more=simple.more,
            more_choices=tuple((b.title, b.payload) for b in simple.more_choices),
        )
        return Turn(session, simple.messages, turn.place, rendered=True)
    last_buttons = next((r.buttons for r in reversed(replies) if r.buttons), ())
    session = session.but(choices=tuple(b.payload for b in last_buttons), more=())
    return Turn(session, replies, turn.place, rendered=True)


def _hold_for_confirmation(
    session: Session, replies: list[OutgoingMessage], accepted: dict[str, Any]
) -> tuple[Session, list[OutgoingMessage]]:
    """Simplified mode: 'You said: 12 May. Is that right?' before the next question."""
    held = tuple(
        {"text": r.text, "buttons": [[b.title, b.payload] for b in r.buttons]} for r in replies
    )
    ask = OutgoingMessage(
        text=say("confirm_answer", session.lang, value=str(accepted.get("value", ""))),
        buttons=(
            Button(say("yes", session.lang), ANSWER_YES),
            Button(say("no", session.lang), ANSWER_NO),
        ),
    )
    return session.but(held=held, held_field=str(accepted.get("field") or "")), [ask]


def confirmed(session: Session, text: str) -> tuple[Turn | None, str]:
    """The answer to 'Is that right?': yes shows the held question, no changes the field."""
    if yes_or_no(text) is True:
        held = [
            OutgoingMessage(text=h["text"], buttons=tuple(Button(t, p) for t, p in h["buttons"]))
            for h in session.held
        ]
        return Turn(session.but(held=(), held_field=None), held), text
    if text == render.HANDOFF_PAYLOAD:
        return None, text
    return None, say("change_field", session.lang, field=session.held_field or "")


def _help_choices(session: Session) -> tuple[Button, ...]:
    person = render.person_button(session.lang)
    if session.simple_mode:
        return (person,)
    return (Button(say("simple_mode_button", session.lang), "/simple_mode_on"), person)


def more_choices(session: Session) -> Turn:
    """The next options of a question with more than four (simplified mode)."""
    options = tuple(Button(title, payload) for title, payload in session.more_choices)
    reply = OutgoingMessage(text=say("other_choices", session.lang), buttons=options)
    return Turn(session.but(more_choices=()), [reply])


def more(session: Session) -> Turn:
    """The next part of a long simplified-mode answer."""
    reply = OutgoingMessage(text="\n".join(session.more), sender="bot")
    return Turn(session.but(more=()), [reply])


def apply_settings(session: Session, replies: list[OutgoingMessage]) -> Session:
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
