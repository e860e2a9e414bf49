"""SQL tables of cases (migrations 0003_cases and 0006_case_workflow).

- `cases`: a submitted form with its status, team, assignee and rating;
- `case_events`: the append-only log of everything that happened to a case (who, when, from,
  to, note); the citizen's additions ("more information") are events with what they sent;
- `case_notifications`: status changes waiting to be told to the citizen (office hours);
- `case_outbox`: hand-overs to department systems, written in the same transaction as the
  change they carry (the transactional outbox), with their Standard Webhooks id;
- `departments`: department systems and the SHA-256 of their API keys;
- `case_reviews`: low ratings waiting for a supervisor.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, UTCDateTime


class CaseRecord(Base):
    """A submitted application or report, with its readable reference (RC-2026-000123)."""

    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    citizen_id: Mapped[str] = mapped_column(String(200), index=True)
    form: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(40))
    lang: Mapped[str] = mapped_column(String(5))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    submission_key: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # 0006_case_workflow
    team: Mapped[str | None] = mapped_column(String(60), nullable=True)
    assignee: Mapped[str | None] = mapped_column(String(100), nullable=True)
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rating_asked: Mapped[bool] = mapped_column(Boolean, default=False)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class CaseEvent(Base):
    """One entry of a case's append-only log."""

    __tablename__ = "case_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(140))
    # created | status | assigned | citizen_info | rated | replayed
    kind: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(40), nullable=True)
    to_status: Mapped[str | None] = mapped_column(String(40), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class CaseNotification(Base):
    """A status change to tell the citizen, due now or at the next office opening."""

    __tablename__ = "case_notifications"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    event_id: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    message_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    __table_args__ = (Index("ix_case_notifications_due", "sent_at", "due_at"),)


class OutboxEntry(Base):
    """A hand-over to a department system (Standard Webhooks), delivered at least once."""

    __tablename__ = "case_outbox"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    webhook_id: Mapped[str] = mapped_column(String(40), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    form: Mapped[str] = mapped_column(String(80))
    event_type: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    state: Mapped[str] = mapped_column(String(10))  # pending | delivered | dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(200), nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    __table_args__ = (Index("ix_case_outbox_due", "state", "next_attempt_at"),)


class Department(Base):
    """A department system allowed to change the status of its forms' cases."""

    __tablename__ = "departments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    forms: Mapped[dict[str, Any]] = mapped_column(JSON)  # {"forms": [...]}
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CaseReview(Base):
    """A case rated in one of the two lowest levels, for a supervisor to look at."""

    __tablename__ = "case_reviews"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    rating: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    resolved_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
