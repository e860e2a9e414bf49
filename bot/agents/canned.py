"""Canned replies in SQL, per team (None: every team) and language, edited by supervisors in
the console. Placeholders filled for a ticket: {agent}, {name} (the citizen's name when a
form asked for it), {ticket} (its reference)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select

from bot.agents.account_rules import AccountError
from bot.agents.models import AuditEntry, CannedReply
from bot.clock import Clock
from bot.storage.db import Database

PLACEHOLDERS = ("agent", "name", "ticket")
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
NAME_SLOTS = ("name", "full_name", "applicant_name", "citizen_name")


@dataclass(frozen=True)
class Canned:
    id: int
    team: str | None
    lang: str
    title: str
    text: str
    updated_at: datetime
    updated_by: str


def _canned(row: CannedReply) -> Canned:
    return Canned(row.id, row.team, row.lang, row.title, row.text, row.updated_at,
                  row.updated_by)  # fmt: skip


def check_text(title: str, text: str, lang: str) -> None:
    if not title.strip() or len(title) > 100:
        raise AccountError("a title is 1-100 characters")
    if not text.strip() or len(text) > 4000:
        raise AccountError("a reply is 1-4000 characters")
    if lang not in ("en", "zh"):
        raise AccountError("the language is en or zh")
    unknown = sorted(set(_PLACEHOLDER.findall(text)) - set(PLACEHOLDERS))
    if unknown:
        known = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
        raise AccountError(f"unknown placeholder {{{unknown[0]}}} (known: {known})")


def fill(text: str, values: dict[str, str]) -> str:
    """Replace the placeholders; an unknown value (no name given) leaves no gap behind."""
    out = _PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), text)
    out = re.sub(r"[ \t]+([,.!?，。！？])", r"\1", out)
    out = re.sub(r"([，,])\s*([，,。.!！])", r"\2", out)
    return re.sub(r"[ \t]{2,}", " ", out).strip()


def citizen_name(slots: dict[str, Any]) -> str:
    for slot in NAME_SLOTS:
        value = slots.get(slot)
        if isinstance(value, str) and value.strip():
            return value.strip()[:60]
    return ""


class CannedReplies:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def for_team(self, team: str | None, everything: bool = False) -> list[Canned]:
        """Replies for an agent's team (and every team's); all of them for `everything`."""
        with self.db.session() as session:
            query = select(CannedReply).order_by(CannedReply.id)  # as written
            if not everything:
                query = query.where(or_(CannedReply.team.is_(None), CannedReply.team == team))
            return [_canned(r) for r in session.scalars(query).all()]

    def save(
        self,
        actor: str,
        *,
        reply_id: int | None,
        team: str | None,
        lang: str,
        title: str,
        text: str,
    ) -> Canned:
        check_text(title, text, lang)
        if team is not None and len(team) > 60:
            raise AccountError("a team is at most 60 characters")
        now = self.clock.now()
        with self.db.session() as session:
            if reply_id is None:
                row = CannedReply(team=team or None, lang=lang, title=title.strip(), text=text,
                                  updated_at=now, updated_by=actor)  # fmt: skip
                session.add(row)
                action = "canned_added"
            else:
                found = session.get(CannedReply, reply_id)
                if found is None:
                    raise AccountError(f"no canned reply {reply_id}")
                row = found
                row.team, row.lang, row.title, row.text = team or None, lang, title.strip(), text
                row.updated_at, row.updated_by = now, actor
                action = "canned_changed"
            session.flush()
            detail = {"team": row.team, "lang": lang, "title": row.title}
            session.add(AuditEntry(at=now, actor=actor, action=action, target=f"canned:{row.id}",
                                   detail=detail))  # fmt: skip
            return _canned(row)

    def delete(self, actor: str, reply_id: int) -> None:
        now = self.clock.now()
        with self.db.session() as session:
            row = session.get(CannedReply, reply_id)
            if row is None:
                raise AccountError(f"no canned reply {reply_id}")
            detail = {"team": row.team, "lang": row.lang, "title": row.title}
            session.delete(row)
            session.add(AuditEntry(at=now, actor=actor, action="canned_deleted",
                                   target=f"canned:{reply_id}", detail=detail))  # fmt: skip
