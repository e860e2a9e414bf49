import sqlite3
from datetime import UTC, datetime

import pytest
from redis.asyncio import Redis
from sqlalchemy import select

from bot.errors import StoreUnavailable
from bot.handoff.queue import HandoffQueue
from bot.messages import Button, OutgoingMessage
from bot.storage import keys
from bot.storage.db import Database
from bot.storage.models import Ticket, TicketEvent, TranscriptMessage
from bot.storage.transcript import Transcript, _Insert

from .conftest import FakeClock


def test_transcript_keeps_order_and_filters_outgoing(db: Database, citizen: str) -> None:
    transcript = Transcript(db)
    first = transcript.record_turn(
        citizen, "rest", "hello", [OutgoingMessage("Hi!", buttons=(Button("Help", "/help"),))]
    )
    second = transcript.record_turn(
        citizen, "rest", "<script>x</script>", [OutgoingMessage("Sure")]
    )
    assert first[0].id < second[0].id
    assert [m.text for m in transcript.outgoing_after(citizen, 0)] == ["Hi!", "Sure"]
    assert [m.text for m in transcript.outgoing_after(citizen, first[0].id)] == ["Sure"]
    assert transcript.outgoing_after(citizen, 0)[0].buttons == (Button("Help", "/help"),)
    assert transcript.history(citizen) == [
        ("citizen", "hello"),
        ("bot", "Hi!"),
        ("citizen", "<script>x</script>"),
        ("bot", "Sure"),
    ]
    assert first[0].created_at.tzinfo is not None


def test_a_turn_is_stored_as_the_orm_would_store_it(db: Database, citizen: str) -> None:
    """record_turn writes through the DBAPI: each reply gets its own row's id, and every
    column reads back through the ORM exactly as a row the ORM wrote itself."""
    when = datetime(2026, 5, 12, 9, 30, 15, 123456, tzinfo=UTC)
    replies = [
        OutgoingMessage("第一", sender="bot", buttons=(Button("是", "/yes"),), created_at=when),
        OutgoingMessage("second", sender="system", custom={"handoff": {"k": [1, None]}}),
        OutgoingMessage("' OR 1=1; --", sender="agent"),
    ]
    stored = Transcript(db).record_turn(citizen, "telegram", "问题 🙂", replies, ticket_id=77)
    with db.session() as session:
        rows = {row.id: row for row in session.scalars(select(TranscriptMessage).where(
            TranscriptMessage.citizen_id == citizen))}  # fmt: skip
        by_orm = TranscriptMessage(
            citizen_id=citizen, channel="telegram", sender="bot", text="第一",
            buttons={"items": [{"title": "是", "payload": "/yes"}]}, custom=None,
            ticket_id=77, created_at=when,
        )  # fmt: skip
        session.add(by_orm)
        session.flush()
        orm_id = by_orm.id
    assert [rows[m.id].text for m in stored] == ["第一", "second", "' OR 1=1; --"]
    assert [rows[m.id].sender for m in stored] == ["bot", "system", "agent"]
    citizen_row = rows[min(rows)]
    assert (citizen_row.sender, citizen_row.text, citizen_row.ticket_id) == (
        "citizen",
        "问题 🙂",
        77,
    )
    assert rows[stored[1].id].custom == {"handoff": {"k": [1, None]}}
    with db.session() as session:
        theirs = session.get(TranscriptMessage, orm_id)
        ours = session.get(TranscriptMessage, stored[0].id)
        assert theirs is not None and ours is not None
        for column in ("citizen_id", "channel", "sender", "text", "buttons", "custom",
                       "ticket_id", "created_at"):  # fmt: skip
            assert getattr(ours, column) == getattr(theirs, column), column
        assert ours.created_at == when and ours.created_at.tzinfo is not None


def test_a_failed_turn_write_is_reported_and_leaves_nothing(
    db: Database, citizen: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    transcript = Transcript(db)
    monkeypatch.setattr(_Insert, "sql", lambda self, rows: "INSERT INTO no_such_table VALUES (1)")
    with pytest.raises(StoreUnavailable):
        transcript.record_turn(citizen, "rest", "hello", [OutgoingMessage("Hi!")])
    monkeypatch.undo()
    assert transcript.history(citizen) == []
    transcript.record_turn(citizen, "rest", "again", [OutgoingMessage("Hi!")])  # pool still good
    assert transcript.history(citizen) == [("citizen", "again"), ("bot", "Hi!")]


async def test_queue_orders_priority_first_and_estimates_from_pickups(
    redis: Redis, db: Database, clock: FakeClock, citizen: str
) -> None:
    await redis.delete(keys.handoff_queue(), keys.handoff_pickups())
    queue = HandoffQueue(redis, db, clock, default_wait_s=120)
    a = await queue.open(
        citizen + "a", reason="requested", topic="passport", lang="en", simple_mode=False
    )
    clock.advance(60)
    b = await queue.open(
        citizen + "b", reason="requested", topic=None, lang="zh", simple_mode=False
    )
    clock.advance(60)
    c = await queue.open(citizen + "c", reason="requested", topic=None, lang="zh", simple_mode=True)
    assert (a.position, b.position) == (1, 2)
    assert c.position == 1  # simplified mode goes first
    assert (await queue.place(a.ticket_id)).position == 2
    assert a.estimated_wait_s == 120  # no pick-ups yet: the default
    await redis.lpush(keys.handoff_pickups(), 30, 90, 60)
    assert await queue.estimate_wait(2) == 120  # median 60 s, second in line
    await queue.cancel(b.ticket_id)
    assert await redis.zscore(keys.handoff_queue(), str(b.ticket_id)) is None
    with db.session() as session:
        ticket = session.get(Ticket, b.ticket_id)
        assert ticket is not None and ticket.status == "cancelled"
        kinds = session.scalars(
            select(TicketEvent.kind)
            .where(TicketEvent.ticket_id == b.ticket_id)
            .order_by(TicketEvent.id)
        ).all()
        assert kinds == ["requested", "queued", "cancelled"]
        assert ticket.created_at == datetime(2026, 11, 2, 9, 1, 0, tzinfo=UTC)
        assert ticket.closed_at == clock.current
    await redis.delete(keys.handoff_queue())


def test_a_turn_is_written_on_the_loop_only_when_that_cannot_wait(
    db: Database, citizen: str
) -> None:
    """record_turn_now: SQLite with its write lock free writes at once; PostgreSQL, or SQLite
    while another writer holds the lock, returns None (the router then uses a worker thread)
    and leaves nothing behind."""
    transcript = Transcript(db)
    first = transcript.record_turn_now(citizen, "rest", "one", [OutgoingMessage("Hi!")])
    if not db.sqlite_file:
        assert first is None and transcript.history(citizen) == []
        return
    assert first is not None and first[0].id > 0
    other = sqlite3.connect(db.engine.url.database or "", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process's write transaction
    try:
        assert transcript.record_turn_now(citizen, "rest", "two", [OutgoingMessage("No")]) is None
    finally:
        other.execute("ROLLBACK")
        other.close()
    again = transcript.record_turn_now(citizen, "rest", "three", [OutgoingMessage("Yes")])
    assert again is not None and again[0].id > first[0].id
    assert transcript.history(citizen) == [
        ("citizen", "one"), ("bot", "Hi!"), ("citizen", "three"), ("bot", "Yes"),
    ]  # fmt: skip
