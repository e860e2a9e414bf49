"""Citizen sessions in Redis: language, simplified mode, conversation mode, open ticket."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from bot.messages import Mode
from bot.storage import keys


@dataclass(frozen=True)
class Session:
    citizen_id: str
    lang: str
    lang_pinned: bool = False  # chosen explicitly: per-message detection no longer applies
    simple_mode: bool = False
    mode: Mode = "bot"
    ticket_id: int | None = None
    channel: str = "rest"
    failures: int = 0
    last_reply_ids: tuple[int, ...] = ()
    choices: tuple[str, ...] = ()  # payloads of the numbered choices last shown
    more: tuple[str, ...] = ()  # simplified mode: text waiting behind "more"
    # simplified mode: the form's next question, held back until the last answer is confirmed
    held: tuple[dict[str, Any], ...] = ()
    held_field: str | None = None
    more_choices: tuple[tuple[str, str], ...] = ()  # simplified mode: options 4+ of a question
    # a short gateway-side exchange around a handoff (see bot/handoff/dialogue.py):
    # "offer" | "leave_message" | "callback_time" | "callback_phone" | "rating"
    pending: str | None = None
    pending_ticket: int | None = None
    pending_value: str | None = None
    # references of the citizen's cases waiting for more information from them (bot/cases)
    awaiting_cases: tuple[str, ...] = ()
    # retention forgot this conversation on that date (civic/retention.py): the next reply
    # tells the citizen, once
    forgotten: str | None = None

    def but(self, **changes: Any) -> Session:
        return replace(self, **changes)


class SessionStore:
    """Reads and writes sessions; a session never expires while a citizen may come back."""

    def __init__(self, redis: Redis, default_lang: str) -> None:
        self.redis = redis
        self.default_lang = default_lang

    async def get(self, citizen_id: str) -> Session:
        return self.decode(citizen_id, await self.redis.get(keys.session(citizen_id)))

    def decode(self, citizen_id: str, raw: bytes | str | None) -> Session:
        """The session from its stored JSON (a new one when nothing is stored)."""
        if raw is None:
            return Session(citizen_id=citizen_id, lang=self.default_lang)
        data = json.loads(raw)
        known = {k: v for k, v in data.items() if k in Session.__dataclass_fields__}
        known["citizen_id"] = citizen_id
        for name in ("last_reply_ids", "choices", "more", "held", "awaiting_cases"):
            known[name] = tuple(known.get(name) or ())
        known["more_choices"] = tuple(tuple(pair) for pair in known.get("more_choices") or ())
        return Session(**known)

    async def save(self, session: Session) -> None:
        await self.redis.set(keys.session(session.citizen_id), self.encode(session))

    def save_in(self, pipe: Pipeline, session: Session) -> None:
        pipe.set(keys.session(session.citizen_id), self.encode(session))

    @staticmethod
    def encode(session: Session) -> str:
        # vars(): the fields as they are (JSON turns the tuples into lists); asdict() deep-copies
        return json.dumps(vars(session))

    async def resolve(self, channel_identity: str) -> str:
        """The citizen id behind a channel identity (itself until identities are linked)."""
        linked = await self.redis.get(keys.identity(channel_identity))
        return linked.decode() if isinstance(linked, bytes) else (linked or channel_identity)
