"""The gateway's message types: what a channel hands in and what it gets back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

Sender = Literal["citizen", "bot", "agent", "system"]
Mode = Literal["bot", "waiting_for_agent", "with_agent"]


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class IncomingMessage:
    """One citizen message as a channel hands it to the gateway."""

    text: str
    channel: str = "rest"
    payload: str | None = None
    lang: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class OutgoingMessage:
    """A message for the citizen, from the bot, an agent or the system."""

    text: str
    sender: Sender = "bot"
    buttons: tuple[Button, ...] = ()
    custom: Mapping[str, Any] | None = None
    id: int = 0
    created_at: datetime = field(default_factory=utcnow)


@dataclass(frozen=True)
class ConversationState:
    mode: Mode
    lang: str
    simple_mode: bool
    queue_position: int | None = None
    estimated_wait_s: int | None = None


@dataclass(frozen=True)
class Reply:
    messages: tuple[OutgoingMessage, ...]
    state: ConversationState
