"""Queue operations against real Redis and SQL: order, routing, claim, release, transfer,
close, cancel, positions re-told; and 20 concurrent claims of 10 tickets."""

from __future__ import annotations

import asyncio
import random

import pytest
from redis.asyncio import Redis
from sqlalchemy import func, select

from bot.agents.desk import AgentDesk, TicketConflict
from bot.handoff.queue import HandoffQueue
from bot.handoff.settings import HandoffSettings, parse_routes
from bot.storage import keys
from bot.storage.db import Database
from bot.storage.models import Ticket, TicketEvent
from bot.storage.sessions import SessionStore
from bot.storage.transcript import Transcript
from tests.storage.conftest import FakeClock

from .conftest import handoff_redis
from .helpers import wait_in_queue


def kinds(db: Database, ticket_id: int) -> list[str]:
    with db.session() as s:
        return list(
            s.scalars(
                select(TicketEvent.kind)
                .where(TicketEvent.ticket_id == ticket_id)
                .order_by(TicketEvent.id)
            ).all()
        )


def texts(db: Database, citizen: str) -> list[tuple[str, str]]:
    return Transcript(db).history(citizen)


async def test_order_is_priority_then_first_come(
    queue: HandoffQueue, sessions: SessionStore, clock: FakeClock
) -> None:
    _, a = await wait_in_queue(queue, sessions)
    clock.advance(30)
    _, b = await wait_in_queue(queue, sessions)
    clock.advance(30)
    _, c = await wait_in_queue(queue, sessions, simple_mode=True)
    order = [t.ticket_id for t in await queue.waiting()]
    assert order == [c.ticket_id, a.ticket_id, b.ticket_id]
    assert [t.position for t in await queue.waiting()] == [1, 2, 3]
    # a long wait beats a newer simplified-mode ticket once it has waited 10 min longer
    clock.advance(700)
    _, d = await wait_in_queue(queue, sessions, simple_mode=True)
    assert [t.ticket_id for t in await queue.waiting()][-1] == d.ticket_id


async def test_routing_by_topic_and_language_gives_per_team_positions(
    redis: Redis, db: Database, clock: FakeClock, sessions: SessionStore
) -> None:
    settings = HandoffSettings(
        routes=parse_routes("topic:passport*=documents,lang:zh=zh-desk"), default_team="general"
    )
    queue = HandoffQueue(redis, db, clock, 120, settings)
    _, p1 = await wait_in_queue(queue, sessions, topic="passport")
    _, g1 = await wait_in_queue(queue, sessions, topic="library-card")
    _, z1 = await wait_in_queue(queue, sessions, topic="library-card", lang="zh")
    _, p2 = await wait_in_queue(queue, sessions, topic="passport_form", lang="zh")
    teams = {t.ticket_id: (t.team, t.position) for t in await queue.waiting()}
    assert teams == {
        p1.ticket_id: ("documents", 1),
        g1.ticket_id: ("general", 1),
        z1.ticket_id: ("zh-desk", 1),
        p2.ticket_id: ("documents", 2),  # the topic rule comes first
    }
    assert (await queue.place(p2.ticket_id)).position == 2
    assert [t.ticket_id for t in await queue.waiting("documents")] == [p1.ticket_id, p2.ticket_id]
    with db.session() as s:
        ticket = s.get(Ticket, z1.ticket_id)
        assert ticket is not None and ticket.team == "zh-desk"


async def test_claim_reply_release_transfer_close(
    desk: AgentDesk, queue: HandoffQueue, sessions: SessionStore, db: Database, clock: FakeClock
) -> None:
    citizen, place = await wait_in_queue(queue, sessions)
    ticket = place.ticket_id
    clock.advance(40)
    await desk.claim(ticket, "alice")
    with pytest.raises(TicketConflict) as conflict:
        await desk.claim(ticket, "bob")
    assert conflict.value.holder == "alice"
    assert (await sessions.get(citizen)).mode == "with_agent"
    with pytest.raises(TicketConflict):
        await desk.reply(ticket, "bob", "not mine")
    clock.advance(10)
    stored = await desk.reply(ticket, "alice", "Hello, how can I help?")
    assert stored.sender == "agent" and stored.id > 0
    outgoing = Transcript(db).outgoing_after(citizen, 0)
    assert [m.sender for m in outgoing][-2:] == ["system", "agent"]
    assert outgoing[-1].text == "Hello, how can I help?"
    # release: back in the queue at its old place; the citizen is told the agent had to step
    # away and that they keep their place
    await desk.release(ticket, "alice")
    assert [t.ticket_id for t in await queue.waiting()] == [ticket]
    assert (await sessions.get(citizen)).mode == "waiting_for_agent"
    assert texts(db, citizen)[-1][1] == (
        "The person helping you had to step away. You keep your place in the queue: you are "
        "number 1, and the wait is about 1 min."
    )
    await desk.claim(ticket, "bob")
    await desk.transfer(ticket, "bob", to_agent="carol", to_team=None)
    assert await queue.holder(ticket) == "carol"
    with pytest.raises(TicketConflict):
        await desk.close(ticket, "bob", "not mine any more")
    await desk.transfer(ticket, "carol", to_agent=None, to_team="documents")
    assert [(t.ticket_id, t.team) for t in await queue.waiting()] == [(ticket, "documents")]
    await desk.claim(ticket, "dave")
    clock.advance(100)
    await desk.close(ticket, "dave", "Explained the renewal steps")
    session = await sessions.get(citizen)
    assert (session.mode, session.ticket_id, session.pending) == ("bot", None, "rating")
    last = Transcript(db).outgoing_after(citizen, 0)[-1]
    assert [b.payload for b in last.buttons] == [f"/rate {n}" for n in range(1, 6)]
    assert kinds(db, ticket) == [
        "requested", "queued", "claimed", "accepted", "agent_replied", "released", "claimed",
        "accepted", "transferred", "transferred", "claimed", "accepted", "closed",
    ]  # fmt: skip
    with db.session() as s:
        row = s.get(Ticket, ticket)
        assert row is not None
        assert (row.status, row.agent, row.note) == (
            "closed",
            "dave",
            "Explained the renewal steps",
        )
        assert (row.closed_at - row.created_at).total_seconds() == 150
    assert await queue.open_ids() == []
    # the first pick-up (40 s) is what the wait estimate learns from, not the later claims
    assert await queue.redis.lrange(keys.handoff_pickups(), 0, -1) == [b"40"]


async def test_positions_are_retold_when_they_change(
    desk: AgentDesk, queue: HandoffQueue, sessions: SessionStore, db: Database, clock: FakeClock
) -> None:
    _, a = await wait_in_queue(queue, sessions)
    second, _ = await wait_in_queue(queue, sessions)
    third, _ = await wait_in_queue(queue, sessions, lang="zh")
    assert texts(db, second) == []  # told by the router when queued, nothing new yet
    await desk.claim(a.ticket_id, "alice")
    # the only pick-up took 0 s: the estimate is the 30 s floor
    assert texts(db, second)[-1] == (
        "system",
        "You are now number 1 in the queue. The wait is about 1 min.",
    )
    assert texts(db, third)[-1][1].startswith("您现在排在第2位")
    # a simplified-mode citizen jumps ahead: a worse place is told at most once a minute,
    # and with its reason
    before = len(texts(db, second))
    await wait_in_queue(queue, sessions, simple_mode=True)
    assert len(texts(db, second)) == before  # told number 1 a moment ago
    clock.advance(61)
    await desk.retell()  # (the periodic sweep does this)
    assert texts(db, second)[-1][1] == (
        "Someone who needs priority help joined the queue ahead of you, so you are now number 2. "
        "The wait is about 1 min."
    )
    assert texts(db, third)[-1][1].startswith("有一位需要优先照顾的市民排到了您前面。")
    before = len(texts(db, second))
    await desk.retell()  # nothing changed: nothing said
    assert len(texts(db, second)) == before
    session = await sessions.get(third)
    await queue.cancel(session.ticket_id or 0)
    assert len(texts(db, second)) == before  # third was behind second: no change for second


async def test_a_worse_place_after_a_release_is_told_with_its_reason_once_a_minute(
    desk: AgentDesk, queue: HandoffQueue, sessions: SessionStore, db: Database, clock: FakeClock
) -> None:
    """The seen sequence was "number 7 ... 6 ... 5 ... 6" with no reason: a place that got worse
    waits for a minute after the last update and then comes with its reason; better places are
    told at once."""
    _, a = await wait_in_queue(queue, sessions)
    second, _ = await wait_in_queue(queue, sessions)
    await desk.claim(a.ticket_id, "alice")
    assert "number 1" in texts(db, second)[-1][1]  # better: at once
    told = len(texts(db, second))
    await desk.release(a.ticket_id, "alice")  # a is back ahead of second
    clock.advance(30)
    await desk.retell()
    assert len(texts(db, second)) == told  # not yet: a minute since the last update
    clock.advance(31)
    await desk.retell()
    assert texts(db, second)[-1][1] == (
        "Someone who was waiting before you came back to the queue, so you are now number 2. "
        "The wait is about 1 min."
    )
    await desk.claim(a.ticket_id, "bob")
    assert "You are now number 1" in texts(db, second)[-1][1]  # better again: at once


async def test_sweep_nudges_then_abandons_silent_citizens(
    desk: AgentDesk, queue: HandoffQueue, sessions: SessionStore, db: Database, clock: FakeClock
) -> None:
    settings = queue.settings
    assert settings.abandon_after_s == 600
    silent, s = await wait_in_queue(queue, sessions)
    talking, t = await wait_in_queue(queue, sessions)
    served, v = await wait_in_queue(queue, sessions)
    await desk.claim(v.ticket_id, "alice")
    await queue.citizen_message(v.ticket_id)  # the agent owes an answer: never abandoned
    clock.advance(299)
    assert await desk.sweep() == []
    clock.advance(1)
    await desk.sweep()
    assert texts(db, silent)[-1][1].startswith("Are you still there?")
    await queue.citizen_message(t.ticket_id)  # answering resets the silence
    clock.advance(300)
    assert await desk.sweep() == [s.ticket_id]
    assert (await sessions.get(silent)).mode == "bot"
    assert "we did not hear from you" in texts(db, silent)[-1][1]
    assert kinds(db, s.ticket_id)[-1] == "abandoned"
    clock.advance(300)
    assert await desk.sweep() == [t.ticket_id]
    assert await queue.holder(v.ticket_id) == "alice"
    assert talking and served


async def test_twenty_concurrent_claims_of_ten_tickets_never_double_assign(
    redis_url: str, db: Database, clock: FakeClock, sessions: SessionStore, queue: HandoffQueue
) -> None:
    tickets = [(await wait_in_queue(queue, sessions))[1].ticket_id for _ in range(10)]
    # 20 agents, each on its own Redis connection pool, as if on different gateway replicas
    replicas = [Redis.from_url(handoff_redis(redis_url)) for _ in range(20)]
    won: dict[int, list[str]] = {t: [] for t in tickets}

    async def agent(n: int) -> None:
        q = HandoffQueue(replicas[n], db, clock, 120, HandoffSettings())
        desk = AgentDesk(replicas[n], q, SessionStore(replicas[n], "en"), Transcript(db), clock)
        for ticket in random.sample(tickets, len(tickets)):
            try:
                await desk.claim(ticket, f"agent{n}")
            except TicketConflict:
                continue
            won[ticket].append(f"agent{n}")
            return

    try:
        await asyncio.gather(*(agent(n) for n in range(20)))
    finally:
        for client in replicas:
            await client.aclose()
    assert all(len(holders) == 1 for holders in won.values()), won
    assert len({h[0] for h in won.values()}) == 10
    assert await queue.waiting() == []
    for ticket, holders in won.items():
        assert await queue.holder(ticket) == holders[0]
    with db.session() as s:
        claims = s.execute(
            select(TicketEvent.ticket_id, func.count())
            .where(TicketEvent.ticket_id.in_(tickets), TicketEvent.kind == "claimed")
            .group_by(TicketEvent.ticket_id)
        ).all()
        assert sorted(claims) == sorted((t, 1) for t in tickets)
        agents = dict(
            s.execute(select(Ticket.id, Ticket.agent).where(Ticket.id.in_(tickets))).all()
        )
        assert agents == {t: h[0] for t, h in won.items()}
