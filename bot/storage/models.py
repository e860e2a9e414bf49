"""SQL tables (SQLAlchemy 2). The schema itself is created by the Alembic migrations."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        from datetime import UTC

        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, datetime: UTCDateTime}


class TranscriptMessage(Base):
    """Every message of a conversation, in both directions."""

    __tablename__ = "messages"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    citizen_id: Mapped[str] = mapped_column(String(200), index=True)
    channel: Mapped[str] = mapped_column(String(40))
    sender: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    buttons: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    custom: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    ticket_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    __table_args__ = (Index("ix_messages_citizen_id_id", "citizen_id", "id"),)


class Ticket(Base):
    """One handoff to a human agent."""

    __tablename__ = "tickets"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    citizen_id: Mapped[str] = mapped_column(String(200), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    reason: Mapped[str] = mapped_column(String(40))
    topic: Mapped[str | None] = mapped_column(String(200), nullable=True)
    lang: Mapped[str] = mapped_column(String(5))
    simple_mode: Mapped[bool] = mapped_column(default=False)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    team: Mapped[str | None] = mapped_column(String(60), nullable=True)
    agent: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # added by migration 0002_agents: live chat, left message or booked callback
    kind: Mapped[str] = mapped_column(String(10), default="live", server_default="live")
    callback_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    contact: Mapped[str | None] = mapped_column(String(40), nullable=True)


class TicketEvent(Base):
    """Append-only timing events of a ticket; every report is computed from these."""

    __tablename__ = "ticket_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    agent: Mapped[str | None] = mapped_column(String(100), nullable=True)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class OutcomeEvent(Base):
    """What a citizen's turn came to (a question answered, a form step, a handoff...), as it
    happened, for the supervisors' insights. No text: a question is the id of its transcript
    message (deleted with the transcript); the citizen is a pseudonym (a hash of the id)."""

    __tablename__ = "outcome_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    subject: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(30))
    channel: Mapped[str] = mapped_column(String(40))
    lang: Mapped[str] = mapped_column(String(5))
    simple_mode: Mapped[bool] = mapped_column(default=False)
    form: Mapped[str | None] = mapped_column(String(80), nullable=True)
    field: Mapped[str | None] = mapped_column(String(80), nullable=True)
    step: Mapped[int | None] = mapped_column(Integer, nullable=True)
    guide: Mapped[str | None] = mapped_column(String(120), nullable=True)
    message_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    ticket_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    __table_args__ = (Index("ix_outcome_events_subject_at", "subject", "at"),)


class QuestionCluster(Base):
    """Unanswered questions grouped by meaning (`civic insights cluster`), with an editor's
    mark. Questions are transcript message ids: their text goes when the transcript does."""

    __tablename__ = "question_clusters"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    lang: Mapped[str] = mapped_column(String(5))
    size: Mapped[int] = mapped_column(Integer)
    recent: Mapped[int] = mapped_column(Integer)  # questions in the last 7 days of the run
    previous: Mapped[int] = mapped_column(Integer)  # in the 7 days before those
    message_ids: Mapped[list[int]] = mapped_column(JSON)
    examples: Mapped[list[int]] = mapped_column(JSON)  # the members nearest the centre
    guide: Mapped[str | None] = mapped_column(String(120), nullable=True)
    guide_score: Mapped[float | None] = mapped_column(nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="open")
    covered_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    marked_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    marked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class QuestionLabel(Base):
    """An agent's word on a question the assistant declined or clarified: the guide that answers
    it, or none (out of scope). Feeds `civic kb calibrate`. No text: the question is its
    transcript message, and the label goes when that message does (retention)."""

    __tablename__ = "question_labels"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_id: Mapped[int] = mapped_column(Integer, unique=True)
    ticket_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    lang: Mapped[str] = mapped_column(String(5))
    outcome: Mapped[str] = mapped_column(String(20))  # what the assistant did: declined, clarified
    guide: Mapped[str | None] = mapped_column(String(120), nullable=True)  # None: no guide
    labelled_by: Mapped[str] = mapped_column(String(100))
    labelled_at: Mapped[datetime] = mapped_column(UTCDateTime())
