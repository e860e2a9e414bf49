"""Agents' labels on the questions the assistant could not settle, for `civic kb calibrate`.

A question the assistant declined (or answered only with a choice of guides) and a citizen then
took to a person is exactly what a city's own calibration needs: the agent who answered it knows
which guide answers it, or that none does. The console shows those questions of a ticket's
conversation with one-click buttons (the guides suggested for the question, "no guide covers
this", or any other guide); the label is stored here and `civic kb calibrate` adds the labelled
questions to the queries it fits the decision model on.

Privacy: a label holds no text. The question is its transcript message (its text is read from
the transcript when the calibration runs); retention deletes the label with the message
(bot/storage/retention.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.errors import StoreUnavailable
from bot.storage.db import Database
from bot.storage.models import OutcomeEvent, QuestionLabel, TranscriptMessage

UNSETTLED = ("declined", "clarified")


@dataclass(frozen=True)
class Unsettled:
    """A citizen's question the assistant declined or clarified, with its label if any."""

    message_id: int
    text: str
    lang: str
    outcome: str  # declined | clarified
    at: datetime
    labelled: bool
    guide: str | None  # the label: the guide that answers it (None: no guide, or not labelled)
    labelled_by: str | None


@dataclass(frozen=True)
class Labelled:
    text: str
    lang: str
    guide: str | None  # None: out of scope (no guide answers it)


def _questions(citizen_id: str) -> Select[OutcomeEvent, str]:
    """The conversation's declined and clarified questions: the outcome and the text."""
    return (
        select(OutcomeEvent, TranscriptMessage.text)
        .join(TranscriptMessage, TranscriptMessage.id == OutcomeEvent.message_id)
        .where(TranscriptMessage.citizen_id == citizen_id, OutcomeEvent.kind.in_(UNSETTLED))
    )


def unsettled(db: Database, citizen_id: str, limit: int = 20) -> list[Unsettled]:
    """The conversation's declined and clarified questions (newest last, at most `limit`)."""
    with db.session() as session:
        rows = session.execute(
            _questions(citizen_id)
            .add_columns(QuestionLabel)
            .outerjoin(QuestionLabel, QuestionLabel.message_id == OutcomeEvent.message_id)
            .order_by(OutcomeEvent.message_id.desc())
            .limit(limit)
        ).all()
    out = [
        Unsettled(
            message_id=event.message_id or 0,
            text=text,
            lang=event.lang,
            outcome=event.kind,
            at=event.at,
            labelled=label is not None,
            guide=label.guide if label is not None else None,
            labelled_by=label.labelled_by if label is not None else None,
        )
        for event, text, label in rows
    ]
    return out[::-1]


def set_label(
    db: Database,
    citizen_id: str,
    message_id: int,
    guide: str | None,
    ticket_id: int | None,
    by: str,
    now: datetime,
) -> Unsettled | None:
    """Label one of the conversation's unsettled questions (again: the newer label wins).
    None when the message is not a declined or clarified question of this conversation."""
    values = {"ticket_id": ticket_id, "guide": guide, "labelled_by": by, "labelled_at": now}
    for attempt in (1, 2):
        try:
            with db.session() as session:
                found = _unsettled_event(session, citizen_id, message_id)
                if found is None:
                    return None
                event, text = found
                label = session.scalar(
                    select(QuestionLabel).where(QuestionLabel.message_id == message_id)
                )
                if label is None:
                    label = QuestionLabel(message_id=message_id)
                    session.add(label)
                for name, value in {**values, "lang": event.lang, "outcome": event.kind}.items():
                    setattr(label, name, value)
            return Unsettled(message_id, text, event.lang, event.kind, event.at, True, guide, by)
        except StoreUnavailable as exc:
            # a colleague labelled it at the same moment: this label overwrites theirs
            if attempt == 2 or not isinstance(exc.__cause__, IntegrityError):
                raise
    raise AssertionError("unreachable")


def _unsettled_event(
    session: Session, citizen_id: str, message_id: int
) -> tuple[OutcomeEvent, str] | None:
    """The declined / clarified outcome of this conversation's message, with its text."""
    row = session.execute(
        _questions(citizen_id).where(OutcomeEvent.message_id == message_id).limit(1)
    ).first()
    return (row[0], row[1]) if row is not None else None


def labelled_questions(db: Database) -> list[Labelled]:
    """Every labelled question whose text is still kept, oldest first."""
    with db.session() as session:
        rows = session.execute(
            select(TranscriptMessage.text, QuestionLabel.lang, QuestionLabel.guide)
            .join(TranscriptMessage, TranscriptMessage.id == QuestionLabel.message_id)
            .order_by(QuestionLabel.id)
        ).all()
    return [Labelled(text, lang, guide) for text, lang, guide in rows]


def summary(db: Database) -> dict[str, object]:
    """What the agents have labelled (questions whose text is still kept), for the editors:
    how many per language, how many "no guide answers it", and the latest label's time."""
    with db.session() as session:
        rows = session.execute(
            select(
                QuestionLabel.lang,
                QuestionLabel.guide.is_(None),
                func.count(),
                func.max(QuestionLabel.labelled_at),
            )
            .join(TranscriptMessage, TranscriptMessage.id == QuestionLabel.message_id)
            .group_by(QuestionLabel.lang, QuestionLabel.guide.is_(None))
        ).all()
    by_lang: dict[str, int] = {}
    no_guide = 0
    latest: datetime | None = None
    for lang, none, count, last in rows:
        by_lang[lang] = by_lang.get(lang, 0) + int(count)
        no_guide += int(count) if none else 0
        latest = last if latest is None or (last is not None and last > latest) else latest
    return {
        "total": sum(by_lang.values()),
        "by_lang": by_lang,
        "no_guide": no_guide,
        "latest": latest.isoformat() if latest else None,
    }
