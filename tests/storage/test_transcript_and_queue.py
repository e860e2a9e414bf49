from datetime import UTC, datetime

from redis.asyncio import Redis
from sqlalchemy import select

from bot import keys
from bot.db import Database
from bot.handoff import HandoffQueue
from bot.messages import Button, OutgoingMessage
from bot.models import Ticket, TicketEvent
from bot.transcript import Transcript

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
