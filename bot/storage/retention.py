"""Data retention: transcripts and closed tickets older than the retention period are deleted.

Open tickets and their conversations are kept whatever their age; cases are the back
office's record and follow its own retention rules (not deleted here).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from bot.storage.db import Database
from bot.storage.models import Ticket, TicketEvent, TranscriptMessage

CLOSED_STATES = ("closed", "cancelled", "abandoned")


@dataclass(frozen=True)
class RetentionResult:
    cutoff: datetime
    messages: int
    tickets: int
    ticket_events: int


def run_retention(db: Database, now: datetime, days: int, dry_run: bool = False) -> RetentionResult:
    """Delete what is older than `days` days before `now`; return what was (or would be) deleted."""
    cutoff = now - timedelta(days=days)
    with db.session() as session:
        old_tickets = select(Ticket.id).where(
            Ticket.status.in_(CLOSED_STATES),
            Ticket.closed_at.is_not(None),
            Ticket.closed_at < cutoff,
        )
        ticket_ids = list(session.scalars(old_tickets))
        open_citizens = select(Ticket.citizen_id).where(Ticket.status.not_in(CLOSED_STATES))
        old_messages = select(TranscriptMessage.id).where(
            TranscriptMessage.created_at < cutoff,
            TranscriptMessage.citizen_id.not_in(open_citizens),
        )
        message_ids = list(session.scalars(old_messages))
        event_count = len(
            list(
                session.scalars(select(TicketEvent.id).where(TicketEvent.ticket_id.in_(ticket_ids)))
            )
        )
        if not dry_run:
            for chunk in _chunks(message_ids):
                session.execute(delete(TranscriptMessage).where(TranscriptMessage.id.in_(chunk)))
            for chunk in _chunks(ticket_ids):
                session.execute(delete(TicketEvent).where(TicketEvent.ticket_id.in_(chunk)))
                session.execute(delete(Ticket).where(Ticket.id.in_(chunk)))
    return RetentionResult(cutoff, len(message_ids), len(ticket_ids), event_count)


def _chunks(ids: list[int], size: int = 500) -> list[list[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]
