"""The conversation transcript in SQL: every message in both directions, in order."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from bot.db import Database
from bot.messages import Button, OutgoingMessage, Sender, utcnow
from bot.models import TranscriptMessage

OUTGOING: tuple[Sender, ...] = ("bot", "agent", "system")


def _to_outgoing(row: TranscriptMessage) -> OutgoingMessage:
    buttons = tuple(Button(b["title"], b["payload"]) for b in (row.buttons or {}).get("items", []))
    sender: Sender = row.sender  # type: ignore[assignment]
    return OutgoingMessage(
        id=row.id,
        text=row.text,
        sender=sender,
        buttons=buttons,
        custom=row.custom,
        created_at=row.created_at,
    )


class Transcript:
    """Appends and reads transcript messages."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def record_turn(
        self,
        citizen_id: str,
        channel: str,
        citizen_text: str | None,
        replies: Sequence[OutgoingMessage],
        ticket_id: int | None = None,
    ) -> list[OutgoingMessage]:
        """Store one citizen message and the replies to it in one transaction.

        Returns the replies with their ids and timestamps as stored.
        """
        stored: list[TranscriptMessage] = []
        with self.db.session() as session:
            if citizen_text is not None:
                session.add(
                    TranscriptMessage(
                        citizen_id=citizen_id,
                        channel=channel,
                        sender="citizen",
                        text=citizen_text,
                        ticket_id=ticket_id,
                        created_at=utcnow(),
                    )
                )
            for reply in replies:
                row = TranscriptMessage(
                    citizen_id=citizen_id,
                    channel=channel,
                    sender=reply.sender,
                    text=reply.text,
                    buttons={
                        "items": [{"title": b.title, "payload": b.payload} for b in reply.buttons]
                    }
                    if reply.buttons
                    else None,
                    custom=dict(reply.custom) if reply.custom else None,
                    ticket_id=ticket_id,
                    created_at=reply.created_at,
                )
                session.add(row)
                stored.append(row)
            session.flush()
            return [_to_outgoing(row) for row in stored]

    def outgoing_after(
        self, citizen_id: str, after: int, limit: int = 200
    ) -> list[OutgoingMessage]:
        with self.db.session() as session:
            rows = session.scalars(
                select(TranscriptMessage)
                .where(
                    TranscriptMessage.citizen_id == citizen_id,
                    TranscriptMessage.id > after,
                    TranscriptMessage.sender.in_(OUTGOING),
                )
                .order_by(TranscriptMessage.id)
                .limit(limit)
            ).all()
            return [_to_outgoing(row) for row in rows]

    def get_many(self, ids: Sequence[int]) -> list[OutgoingMessage]:
        with self.db.session() as session:
            rows = session.scalars(
                select(TranscriptMessage)
                .where(TranscriptMessage.id.in_(list(ids)), TranscriptMessage.sender.in_(OUTGOING))
                .order_by(TranscriptMessage.id)
            ).all()
            return [_to_outgoing(row) for row in rows]

    def recent(self, citizen_id: str, limit: int = 100) -> list[OutgoingMessage]:
        """The last `limit` messages in both directions (citizen's too), oldest first."""
        with self.db.session() as session:
            rows = session.scalars(
                select(TranscriptMessage)
                .where(TranscriptMessage.citizen_id == citizen_id)
                .order_by(TranscriptMessage.id.desc())
                .limit(limit)
            ).all()
            return [_to_outgoing(row) for row in reversed(rows)]

    def history(self, citizen_id: str, limit: int = 200) -> list[tuple[str, str]]:
        """(sender, text) pairs, oldest first, of the last `limit` messages."""
        with self.db.session() as session:
            rows = session.scalars(
                select(TranscriptMessage)
                .where(TranscriptMessage.citizen_id == citizen_id)
                .order_by(TranscriptMessage.id.desc())
                .limit(limit)
            ).all()
            return [(row.sender, row.text) for row in reversed(rows)]
