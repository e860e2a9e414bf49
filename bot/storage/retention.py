"""Data retention, SQL part: transcripts, closed tickets and outcome events older than the
retention period are deleted (question clusters refer to transcript messages: their questions go
with them; agents' question labels are deleted with their message). Open tickets and their
conversations are kept whatever their age. Cases follow the same period from the day they were
finished (bot/cases/retention.py). The rest of what retention forgets (Rasa trackers, sessions,
uploads, closed cases' personal data, the audit log) is civic/retention.py's, which runs this
first.

On SQLite the deleted content is overwritten (secure_delete), not left in free pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from bot.storage.db import Database
from bot.storage.models import (
    OutcomeEvent,
    QuestionLabel,
    Ticket,
    TicketEvent,
    TranscriptMessage,
)

CLOSED_STATES = ("closed", "cancelled", "abandoned")


@dataclass(frozen=True)
class RetentionResult:
    cutoff: datetime
    messages: int
    tickets: int
    ticket_events: int
    outcome_events: int = 0


def run_retention(db: Database, now: datetime, days: int, dry_run: bool = False) -> RetentionResult:
    """Delete what is older than `days` days before `now`; return what was (or would be) deleted."""
    cutoff = now - timedelta(days=days)
    with db.session() as session:
        secure_delete(db, session)
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
        old_outcomes = list(
            session.scalars(select(OutcomeEvent.id).where(OutcomeEvent.at < cutoff))
        )
        if not dry_run:
            for chunk in _chunks(old_outcomes):
                session.execute(delete(OutcomeEvent).where(OutcomeEvent.id.in_(chunk)))
            for chunk in _chunks(message_ids):
                session.execute(delete(QuestionLabel).where(QuestionLabel.message_id.in_(chunk)))
                session.execute(delete(TranscriptMessage).where(TranscriptMessage.id.in_(chunk)))
            for chunk in _chunks(ticket_ids):
                session.execute(delete(TicketEvent).where(TicketEvent.ticket_id.in_(chunk)))
                session.execute(delete(Ticket).where(Ticket.id.in_(chunk)))
    return RetentionResult(
        cutoff, len(message_ids), len(ticket_ids), event_count, len(old_outcomes)
    )


def secure_delete(db: Database, session: Session) -> None:
    """SQLite: deleted and overwritten content is zeroed, not left in the file's free pages."""
    if db.url.startswith("sqlite"):
        session.execute(text("PRAGMA secure_delete=ON"))


def _chunks(ids: list[int], size: int = 500) -> list[list[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]
