"""Reading tickets, their events and their conversation from SQL (for the agent console)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from bot.storage.db import Database
from bot.storage.models import Ticket, TicketEvent, TranscriptMessage
from bot.storage.transcript import last_messages


@dataclass(frozen=True)
class TicketRecord:
    id: int
    citizen_id: str
    status: str
    kind: str
    reason: str
    topic: str | None
    lang: str
    simple_mode: bool
    priority: int
    team: str | None
    agent: str | None
    created_at: datetime
    closed_at: datetime | None
    note: str | None
    rating: int | None
    callback_at: datetime | None
    contact: str | None


@dataclass(frozen=True)
class Line:
    id: int
    sender: str
    text: str
    created_at: datetime
    ticket_id: int | None


def _record(t: Ticket) -> TicketRecord:
    return TicketRecord(
        t.id, t.citizen_id, t.status, t.kind or "live", t.reason, t.topic, t.lang,
        t.simple_mode, t.priority, t.team, t.agent, t.created_at, t.closed_at, t.note,
        t.rating, t.callback_at, t.contact,
    )  # fmt: skip


def ticket(db: Database, ticket_id: int) -> TicketRecord | None:
    with db.session() as session:
        row = session.get(Ticket, ticket_id)
        return _record(row) if row is not None else None


def held(db: Database, agent: str | None = None) -> list[TicketRecord]:
    """Claimed tickets not yet closed (one agent's, or everybody's)."""
    with db.session() as session:
        query = select(Ticket).where(Ticket.status == "claimed").order_by(Ticket.id)
        if agent is not None:
            query = query.where(Ticket.agent == agent)
        return [_record(t) for t in session.scalars(query).all()]


def events(db: Database, ticket_id: int) -> list[dict[str, Any]]:
    with db.session() as session:
        rows = session.scalars(
            select(TicketEvent)
            .where(TicketEvent.ticket_id == ticket_id)
            .order_by(TicketEvent.at, TicketEvent.id)
        ).all()
        return [
            {"kind": e.kind, "at": e.at.isoformat(), "agent": e.agent, "detail": e.detail}
            for e in rows
        ]


def conversation(db: Database, citizen_id: str, limit: int = 300) -> list[Line]:
    """The last messages of a citizen in both directions, oldest first."""
    return last_messages(
        db, citizen_id, limit, lambda r: Line(r.id, r.sender, r.text, r.created_at, r.ticket_id)
    )


def last_citizen_messages(db: Database, citizen_ids: list[str]) -> dict[str, str]:
    """Each citizen's last message (for the queue's cards), in one query."""
    if not citizen_ids:
        return {}
    with db.session() as session:
        newest = (
            select(func.max(TranscriptMessage.id))
            .where(TranscriptMessage.citizen_id.in_(set(citizen_ids)))
            .where(TranscriptMessage.sender == "citizen")
            .group_by(TranscriptMessage.citizen_id)
        )
        rows = session.execute(
            select(TranscriptMessage.citizen_id, TranscriptMessage.text).where(
                TranscriptMessage.id.in_(newest)
            )
        ).all()
        return {citizen: text for citizen, text in rows}
