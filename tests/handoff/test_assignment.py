"""Availability and automatic assignment against real Redis and SQL: who gets which ticket,
acceptance, the time-out back to the queue, availability transitions, and a simulation with
random arrivals and replies, 50 concurrent events at a time over two gateway replicas."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import random
from collections import Counter
from datetime import timedelta

import pytest
from redis.asyncio import Redis
from sqlalchemy import func, select

from bot.agents.desk import AgentDesk, TicketConflict
from bot.handoff.queue import HandoffQueue
from bot.handoff.reports import handoff_report, load_timelines
from bot.handoff.settings import HandoffSettings, parse_assignment, parse_routes
from bot.storage import keys
from bot.storage.db import Database
from bot.storage.models import TicketEvent
from bot.storage.sessions import SessionStore
from bot.storage.transcript import Transcript
from tests.storage.conftest import FakeClock

from .conftest import handoff_redis
from .helpers import wait_in_queue

AUTO = HandoffSettings(
    assignment_default="auto", accept_timeout_s=60, agent_idle_s=300, presence_grace_s=45,
    agent_capacity=2,
)  # fmt: skip


SIMULATED = dataclasses.replace(AUTO, routes=parse_routes("topic:passport*=documents"))


@pytest.fixture
def settings() -> HandoffSettings:
    return AUTO


def events(db: Database, ticket_id: int) -> list[tuple[str, str | None]]:
    with db.session() as s:
        rows = s.execute(
            select(TicketEvent.kind, TicketEvent.agent)
            .where(TicketEvent.ticket_id == ticket_id)
            .order_by(TicketEvent.id)
        ).all()
        return [(k, a) for k, a in rows]


async def online(
    desk: AgentDesk,
    name: str,
    team: str | None = None,
    languages: tuple[str, ...] = (),
    capacity: int | None = 2,
) -> None:
    await desk.availability.publish_profile(name, team, languages, capacity)
    await desk.set_status(name, "online")


async def held_by(redis: Redis, queue: HandoffQueue) -> dict[int, str]:
    out = {}
    for ticket_id in await queue.open_ids():
        holder = await queue.holder(ticket_id)
        if holder is not None:
            out[ticket_id] = holder
    return out


def test_assignment_modes_are_read_per_team() -> None:
    assert parse_assignment("") == ("manual", ())
    assert parse_assignment("auto") == ("auto", ())
    default, teams = parse_assignment("documents=auto, manual")
    assert default == "manual" and dict(teams) == {"documents": "auto"}
    settings = HandoffSettings.from_env({"CIVIC_ASSIGNMENT": "general=auto"})
    assert settings.assignment_mode("general") == "auto"
    assert settings.assignment_mode("documents") == "manual"
    with pytest.raises(Exception, match="CIVIC_ASSIGNMENT"):
        parse_assignment("documents=sometimes")


async def test_fewest_active_then_idle_longest_then_capacity(
    desk: AgentDesk, queue: HandoffQueue, sessions: SessionStore, db: Database, clock: FakeClock
) -> None:
    await online(desk, "ana")
    clock.advance(10)
    await online(desk, "bo")  # online later: idle for less time than ana
    got = []
    for _ in range(5):
        clock.advance(5)
        _, place = await wait_in_queue(queue, sessions)
        got.append(await queue.holder(place.ticket_id))
    # equal load -> longest idle (ana); then the one with fewer (bo); then ana, idle since
    # her first ticket, longer than bo; then bo; the fifth finds everyone at capacity 2
    assert got == ["ana", "bo", "ana", "bo", None]
    [waiting] = await queue.waiting()
    assert waiting.position == 1
    first = (await queue.open_ids())[0]
    assert events(db, first)[-1] == ("assigned", "ana")
    assert await queue.offered(first) == clock.now().timestamp() - 20 + 60


async def test_team_language_and_priority_order(
    desk: AgentDesk, queue: HandoffQueue, sessions: SessionStore, clock: FakeClock
) -> None:
    plain = (await wait_in_queue(queue, sessions, lang="zh"))[1].ticket_id
    clock.advance(60)
    simple = (await wait_in_queue(queue, sessions, lang="zh", simple_mode=True))[1].ticket_id
    english = (await wait_in_queue(queue, sessions, lang="en"))[1].ticket_id
    # nobody online: nothing assigned
    assert await queue.holder(plain) is None
    await online(desk, "docs", team="documents", capacity=5)  # another team: no match
    await online(desk, "en-only", languages=("en",), capacity=5)
    assert await queue.holder(english) == "en-only"
    assert await queue.holder(plain) is None and await queue.holder(simple) is None
    await online(desk, "mei", languages=("zh", "en"), capacity=1)
    # one free place: the simplified-mode ticket is ahead in the queue's order
    assert await queue.holder(simple) == "mei"
    assert await queue.holder(plain) is None
    assert [t.ticket_id for t in await queue.waiting()] == [plain]


async def test_accept_on_open_or_reply_and_pickup_counts_from_accepted(
    desk: AgentDesk, queue: HandoffQueue, sessions: SessionStore, db: Database, clock: FakeClock
) -> None:
    citizen, place = await wait_in_queue(queue, sessions)
    clock.advance(30)
    await online(desk, "ana")
    tid = place.ticket_id
    assert await queue.holder(tid) == "ana"
    assert (await sessions.get(citizen)).mode == "waiting_for_agent"  # not joined yet
    with pytest.raises(TicketConflict):
        await desk.accept(tid, "bo")
    clock.advance(20)
    assert await desk.accept(tid, "ana") is True
    assert await desk.accept(tid, "ana") is False  # once
    assert (await sessions.get(citizen)).mode == "with_agent"
    assert [k for k, _ in events(db, tid)] == ["requested", "queued", "assigned", "accepted"]
    await desk.reply(tid, "ana", "Hello")
    start = clock.now().replace(hour=0, minute=0, second=0)
    report = handoff_report(
        load_timelines(db, start, clock.now()), queue.settings, start, clock.now(), clock.now()
    )
    assert report["overall"]["calendar"]["pickup_s"]["mean"] == 50.0  # 30 + 20, at accepted
    # a claim by hand on a ticket assigned to you accepts it too
    _, second = await wait_in_queue(queue, sessions)
    assert await queue.holder(second.ticket_id) == "ana"
    await desk.claim(second.ticket_id, "ana")
    assert [k for k, _ in events(db, second.ticket_id)][-2:] == ["assigned", "accepted"]


async def test_not_accepted_in_time_goes_back_to_its_place_and_the_agent_away(
    desk: AgentDesk, queue: HandoffQueue, sessions: SessionStore, db: Database, clock: FakeClock
) -> None:
    await online(desk, "ana", capacity=1)
    _, first = await wait_in_queue(queue, sessions)
    clock.advance(5)
    _, second = await wait_in_queue(queue, sessions)
    assert await queue.holder(first.ticket_id) == "ana"
    assert [t.ticket_id for t in await queue.waiting()] == [second.ticket_id]
    clock.advance(54)
    await desk.availability.seen("ana")  # her console is open
    await desk.tick()
    assert await queue.holder(first.ticket_id) == "ana"  # 59 s < 60 s
    clock.advance(2)
    await online(desk, "bo", capacity=0)  # online, but no capacity: not a taker
    await desk.availability.seen("ana", active=True)
    await desk.tick()
    assert await queue.holder(first.ticket_id) is None
    assert [t.ticket_id for t in await queue.waiting()] == [first.ticket_id, second.ticket_id]
    assert await desk.availability.status("ana") == "away"
    assert events(db, first.ticket_id)[-1] == ("released", "ana")
    # the next agent online gets it, still first
    await online(desk, "cy", capacity=1)
    assert await queue.holder(first.ticket_id) == "cy"
    assert await queue.holder(second.ticket_id) is None
    with pytest.raises(TicketConflict):
        await desk.reply(first.ticket_id, "ana", "too late")


async def test_availability_transitions(
    desk: AgentDesk, queue: HandoffQueue, sessions: SessionStore, clock: FakeClock
) -> None:
    availability = desk.availability
    assert await availability.status("ana") == "offline"
    await online(desk, "ana")
    assert await availability.status("ana") == "online"
    # heartbeats without activity: away after the idle time (300 s)
    for _ in range(10):
        clock.advance(30)
        await availability.seen("ana")
        await desk.tick()
    assert await availability.status("ana") == "online"  # idle for exactly 300 s
    for _ in range(1):
        clock.advance(30)
        await availability.seen("ana")
        await desk.tick()
    assert await availability.status("ana") == "away"
    _, place = await wait_in_queue(queue, sessions)
    assert await queue.holder(place.ticket_id) is None  # away: nothing assigned
    await desk.set_status("ana", "online")
    assert await queue.holder(place.ticket_id) == "ana"
    await desk.accept(place.ticket_id, "ana")  # (not accepting would set her away)
    # activity keeps an agent online
    for _ in range(12):
        clock.advance(30)
        await availability.seen("ana", active=True)
        await desk.tick()
    assert await availability.status("ana") == "online"
    # the console's connection gone: offline after the grace (45 s)
    clock.advance(44)
    await desk.tick()
    assert await availability.status("ana") == "online"
    clock.advance(2)
    await desk.tick()
    assert await availability.status("ana") == "offline"
    await availability.set("bo", "away")
    await availability.set("bo", "offline")
    everyone = {p.username: p.status for p in await availability.everyone()}
    assert everyone == {"ana": "offline", "bo": "offline"}


async def test_simulation_two_gateways_fifty_concurrent_events(
    redis_url: str, redis: Redis, db: Database, clock: FakeClock
) -> None:
    """Random arrivals, replies and closes, 50 events at a time spread over two gateway
    replicas. After every round: no agent above capacity, no ticket assigned twice, and in
    every team no ticket still waiting is older than one assigned (oldest first)."""
    rng = random.Random(22)
    replicas = [Redis.from_url(handoff_redis(redis_url)) for _ in range(2)]
    desks = []
    for client in replicas:
        q = HandoffQueue(client, db, clock, 120, SIMULATED)
        desks.append(AgentDesk(client, q, SessionStore(client, "en"), Transcript(db), clock))
    capacity = {"ana": 1, "bo": 2, "cy": 3, "dee": 2, "eli": 1, "fay": 2}
    teams = {"ana": "general", "bo": "general", "cy": "general", "dee": "documents",
             "eli": "documents", "fay": "documents"}  # fmt: skip
    for name, cap in capacity.items():
        await online(desks[0], name, team=teams[name], capacity=cap)
    opened: list[int] = []
    team_of: dict[int, str] = {}
    assigned_seen: dict[str, float] = {"general": float("-inf"), "documents": float("-inf")}
    queue = desks[0].queue
    sessions = SessionStore(redis, "en")

    async def arrive(desk: AgentDesk) -> None:
        topic = rng.choice(["passport renewal", "streetlight"])
        _, place = await wait_in_queue(desk.queue, sessions, topic=topic)
        opened.append(place.ticket_id)
        team_of[place.ticket_id] = "documents" if topic.startswith("passport") else "general"

    async def work(desk: AgentDesk) -> None:
        held = await held_by(redis, desk.queue)
        if not held:
            await desk.tick()
            return
        ticket_id, agent = rng.choice(sorted(held.items()))
        with contextlib.suppress(TicketConflict):
            if rng.random() < 0.5:
                await desk.reply(ticket_id, agent, "a reply")
            else:
                await desk.accept(ticket_id, agent)
                await desk.close(ticket_id, agent, None)

    async def citizen_writes(desk: AgentDesk) -> None:
        if opened:
            await desk.queue.citizen_message(rng.choice(opened))

    try:
        for _ in range(8):
            round_events = []
            for n in range(50):
                desk = desks[n % 2]
                kind = rng.choices([arrive, work, citizen_writes], weights=[4, 4, 1])[0]
                round_events.append(kind(desk))
            await asyncio.gather(*round_events)
            clock.advance(rng.randrange(1, 10))
            await desks[1].tick()
            # invariants
            held = await held_by(redis, queue)
            load = Counter(held.values())
            assert all(load[a] <= capacity[a] for a in capacity), load
            waiting = await queue.waiting()
            assert not set(held) & {t.ticket_id for t in waiting}
            scores = {
                int(k): float(v)
                for k, v in (await redis.zrange(keys.handoff_queue(), 0, -1, withscores=True))
            }
            for ticket_id in held:
                state = await queue.live_state(ticket_id)
                team = team_of[ticket_id]
                assigned_seen[team] = max(assigned_seen[team], float(state["score"]))
            for ticket_id, score in scores.items():
                # (arrivals of one round share the fake clock's instant: equal is not older)
                assert score >= assigned_seen[team_of[ticket_id]], "an older ticket waits"
            # work-conserving: nobody with free capacity while their team has tickets waiting
            for name, cap in capacity.items():
                if load[name] < cap:
                    assert not [t for t in waiting if t.team == teams[name]], (name, waiting)
        with db.session() as s:
            assigned = dict(
                s.execute(
                    select(TicketEvent.ticket_id, func.count())
                    .where(TicketEvent.ticket_id.in_(opened), TicketEvent.kind == "assigned")
                    .group_by(TicketEvent.ticket_id)
                ).all()
            )
        assert assigned and set(assigned.values()) == {1}, "a ticket was assigned twice"
        assert len(opened) > 100
    finally:
        for client in replicas:
            await client.aclose()


async def test_callbacks_falling_due_and_sla_at_risk_are_raised_once(
    redis: Redis, queue: HandoffQueue, sessions: SessionStore, clock: FakeClock
) -> None:
    pubsub = redis.pubsub()
    await pubsub.subscribe(keys.handoff_events_channel())
    booked = await queue.open(
        "rest:callback-citizen", reason="requested", topic=None, lang="en", simple_mode=False,
        kind="callback", callback_at=clock.now() + timedelta(minutes=30), contact="0123456789",
    )  # fmt: skip
    _, simple = await wait_in_queue(queue, sessions, simple_mode=True)  # target 120 s
    _, plain = await wait_in_queue(queue, sessions)  # target 300 s
    assert await queue.due_alerts() == []
    clock.advance(97)  # over 80 % of 120 s
    assert await queue.due_alerts() == [("sla_at_risk", simple.ticket_id)]
    clock.advance(144)  # over 80 % of 300 s
    assert await queue.due_alerts() == [("sla_at_risk", plain.ticket_id)]
    assert await queue.due_alerts() == []
    clock.advance(30 * 60)
    assert await queue.due_alerts() == [("callback_due", booked.ticket_id)]
    assert await queue.due_alerts() == []
    seen = []
    for _ in range(40):  # None for the subscription's own message, then the events
        message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.2)
        if message is not None:
            seen.append(message["data"].decode())
        if len([m for m in seen if m.startswith(("sla_at_risk", "callback_due"))]) >= 3:
            break
    await pubsub.aclose()
    assert [m for m in seen if m.split(":")[0] in ("sla_at_risk", "callback_due")] == [
        f"sla_at_risk:{simple.ticket_id}", f"sla_at_risk:{plain.ticket_id}",
        f"callback_due:{booked.ticket_id}",
    ]  # fmt: skip
