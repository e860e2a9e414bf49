"""What one turn of a form works with: the slots it keeps, the citizen's message as the form
sees it, and the outcome it comes to (actions/forms/engine.py decides it)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from actions.forms.spec import FormSpec
from actions.validators import Context

STATUS_SLOT = "form_status"
PROGRESS_SLOT = "form_progress"
DRAFT_SLOT = "form_draft"
REQUESTED_SLOT = "requested_slot"
FAILURES_SLOT = "form_failures"  # {field slot: invalid answers in a row}


@dataclass(frozen=True)
class Message:
    text: str
    buttons: tuple[Mapping[str, str], ...] = ()


@dataclass(frozen=True)
class Turn:
    """The citizen's message as the form sees it."""

    text: str
    fresh: bool  # a new citizen message (not a return after an interruption)
    lang: str
    today: date
    intent: str | None = None
    confidence: float = 0.0
    metadata: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class Outcome:
    slots: dict[str, Any] = field(default_factory=dict)
    messages: list[Message] = field(default_factory=list)
    reject: bool = False  # not for the form: Rasa's rules answer it, then the form resumes
    deactivate: bool = False
    # (field label, value as shown) of an answer just accepted: the gateway confirms it
    # before the next question in simplified mode
    accepted: tuple[str, str] | None = None


def set_slot(current: dict[str, Any], out: Outcome, slot: str, value: Any) -> None:
    """Set a slot both in the turn's working copy and in its outcome."""
    current[slot] = value
    out.slots[slot] = value


def context(spec: FormSpec, current: Mapping[str, Any], turn: Turn) -> Context:
    """What a validator may know besides the answer: today, the answers so far, the message's
    metadata (a shared photo or location)."""
    answers = {f.name: current.get(f.slot) for f in spec.fields if current.get(f.slot) is not None}
    return Context(today=turn.today, answers=answers, metadata=turn.metadata)
