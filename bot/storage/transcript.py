"""The conversation transcript in SQL: every message in both directions, in order."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, TypeVar

from sqlalchemy import Dialect, select

from bot.messages import Button, OutgoingMessage, Sender, utcnow
from bot.storage.db import Database, WouldWait
from bot.storage.models import TranscriptMessage

OUTGOING: tuple[Sender, ...] = ("bot", "agent", "system")
T = TypeVar("T")


_COLUMNS = (
    "citizen_id",
    "channel",
    "sender",
    "text",
    "buttons",
    "custom",
    "ticket_id",
    "created_at",
)


class _Insert:
    """`INSERT INTO messages ... RETURNING id` for one dialect, for any number of rows, with
    each value converted as SQLAlchemy would (the column type's bind processor: JSON, the UTC
    timestamp), so rows read back through the ORM exactly as if it had written them."""

    def __init__(self, dialect: Dialect) -> None:
        columns = TranscriptMessage.__table__.c
        self._convert = [columns[name].type.bind_processor(dialect) for name in _COLUMNS]
        marks = {"qmark": "?", "format": "%s", "pyformat": "%s"}
        if dialect.paramstyle not in marks:
            raise ValueError(f"unsupported DBAPI paramstyle {dialect.paramstyle!r}")
        self._values = "(" + ", ".join([marks[dialect.paramstyle]] * len(_COLUMNS)) + ")"
        table = TranscriptMessage.__tablename__
        self._head = f"INSERT INTO {table} ({', '.join(_COLUMNS)}) VALUES "  # noqa: S608 (constants)
        self._sql: dict[int, str] = {}

    def sql(self, rows: int) -> str:
        if rows not in self._sql:
            self._sql[rows] = self._head + ", ".join([self._values] * rows) + " RETURNING id"
        return self._sql[rows]

    def params(self, rows: list[tuple[Any, ...]]) -> tuple[Any, ...]:
        return tuple(
            convert(value) if convert is not None else value
            for row in rows
            for convert, value in zip(self._convert, row, strict=True)
        )


def last_messages(
    db: Database, citizen_id: str, limit: int, convert: Callable[[TranscriptMessage], T]
) -> list[T]:
    """The last `limit` messages of a citizen in both directions, oldest first, each converted
    while its session is open."""
    with db.session() as session:
        rows = session.scalars(
            select(TranscriptMessage)
            .where(TranscriptMessage.citizen_id == citizen_id)
            .order_by(TranscriptMessage.id.desc())
            .limit(limit)
        ).all()
        return [convert(row) for row in reversed(rows)]


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
        self._insert_for: _Insert | None = None

    def record_turn_now(
        self,
        citizen_id: str,
        channel: str,
        citizen_text: str | None,
        replies: Sequence[OutgoingMessage],
        ticket_id: int | None = None,
        citizen_ids: list[int] | None = None,
    ) -> list[OutgoingMessage] | None:
        """record_turn() on the calling (event loop) thread when that cannot block: SQLite with
        its write lock free. None when it would have to wait: call record_turn() in a worker
        thread instead (PostgreSQL always, SQLite when another writer holds the lock)."""
        if not self.db.sqlite_file:
            return None
        try:
            return self.record_turn(
                citizen_id, channel, citizen_text, replies, ticket_id, now=True,
                citizen_ids=citizen_ids,
            )  # fmt: skip
        except WouldWait:
            return None

    def record_turn(
        self,
        citizen_id: str,
        channel: str,
        citizen_text: str | None,
        replies: Sequence[OutgoingMessage],
        ticket_id: int | None = None,
        *,
        now: bool = False,
        citizen_ids: list[int] | None = None,
    ) -> list[OutgoingMessage]:
        """Store one citizen message and the replies to it in one transaction.

        Returns the replies with their ids and timestamps as stored. One multi-row INSERT ...
        RETURNING on a DBAPI connection, its values converted by the columns' own SQLAlchemy
        types (_Insert): this is on every citizen turn, and per turn the ORM's unit of work
        cost 1.1 ms on SQLite and 2.7 ms on PostgreSQL, Core 0.9 and 2.3, this 0.7 and 1.9
        (measured with pauses between calls, as citizens write). The citizen message's id is
        appended to `citizen_ids` when given (its outcome events refer to it).
        """
        rows: list[tuple[Any, ...]] = []
        if citizen_text is not None:
            rows.append(
                (citizen_id, channel, "citizen", citizen_text, None, None, ticket_id, utcnow())
            )
        for reply in replies:
            buttons = (
                {"items": [{"title": b.title, "payload": b.payload} for b in reply.buttons]}
                if reply.buttons
                else None
            )
            custom = dict(reply.custom) if reply.custom else None
            rows.append(
                (
                    citizen_id,
                    channel,
                    reply.sender,
                    reply.text,
                    buttons,
                    custom,
                    ticket_id,
                    reply.created_at,
                )
            )
        if not rows:
            return []
        insert = self._insert()
        with self.db.dbapi_now() if now else self.db.dbapi() as connection:
            cursor = connection.cursor()
            cursor.execute(insert.sql(len(rows)), insert.params(rows))
            # ids of one statement's rows rise in the order of its VALUES (an autoincrement
            # key on SQLite, a sequence on PostgreSQL); RETURNING's own order is not promised
            ids = sorted(row[0] for row in cursor.fetchall())
            cursor.close()
        stored = ids[len(rows) - len(replies) :]
        if citizen_ids is not None and citizen_text is not None:
            citizen_ids.append(ids[0])
        return [
            replace(reply, id=message_id) for reply, message_id in zip(replies, stored, strict=True)
        ]

    def _insert(self) -> _Insert:
        if self._insert_for is None:
            self._insert_for = _Insert(self.db.engine.dialect)
        return self._insert_for

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
        return last_messages(self.db, citizen_id, limit, _to_outgoing)

    def history(self, citizen_id: str, limit: int = 200) -> list[tuple[str, str]]:
        """(sender, text) pairs, oldest first, of the last `limit` messages."""
        return last_messages(self.db, citizen_id, limit, lambda row: (row.sender, row.text))
