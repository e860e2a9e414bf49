"""What the forms' Rasa actions read from the tracker: the citizen's language, whether the
latest message is new to the form, the turn as the engine sees it, the active form and what
the citizen wrote since it started."""

from __future__ import annotations

from rasa_sdk import Tracker

from actions.forms.clock import today
from actions.forms.spec import FormSpec, forms
from actions.forms.turn import DRAFT_SLOT, Turn


def citizen_lang(tracker: Tracker) -> str:
    lang = tracker.get_slot("lang")
    return lang if lang in ("en", "zh") else "en"


def is_fresh_message(tracker: Tracker) -> bool:
    """True when the citizen's latest message has not been handled by another action yet.

    Rasa hands the form's validation action a tracker ending in the form's own action event;
    before it is either the citizen's message (a new answer) or another action (the form is
    coming back after an interruption, or was resumed).
    """
    seen_own = False
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            return True
        if kind == "action":
            if event.get("name") == "action_listen":
                return False
            if not seen_own:
                seen_own = True
                continue
            return False
    return False


def turn_from(tracker: Tracker) -> Turn:
    latest = tracker.latest_message or {}
    intent = latest.get("intent") or {}
    metadata = latest.get("metadata")
    return Turn(
        text=str(latest.get("text") or ""),
        fresh=is_fresh_message(tracker),
        lang=citizen_lang(tracker),
        today=today(),
        intent=intent.get("name"),
        confidence=float(intent.get("confidence") or 0.0),
        metadata=metadata if isinstance(metadata, dict) else {},
    )


def form_messages(tracker: Tracker) -> list[str]:
    """What the citizen wrote since the active form started (the first message included)."""
    texts: list[str] = []
    name = (tracker.active_loop or {}).get("name")
    started = False
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            texts.append(str(event.get("text") or ""))
            if started:
                break
        elif kind == "active_loop" and event.get("name") == name:
            started = True
    return list(reversed(texts))


def active_spec(tracker: Tracker) -> FormSpec | None:
    name = (tracker.active_loop or {}).get("name")
    draft = tracker.get_slot(DRAFT_SLOT)
    if not name and isinstance(draft, dict):
        name = draft.get("form")
    return forms().get(str(name)) if name else None
