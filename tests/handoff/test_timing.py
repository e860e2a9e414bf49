"""Timing events with the injected clock; the reports computed from them, exact to the second."""

from __future__ import annotations

import random
from datetime import timedelta

from redis.asyncio import Redis

from bot.agents.desk import AgentDesk
from bot.handoff.office_hours import OfficeHours
from bot.handoff.queue import HandoffQueue
from bot.handoff.reports import handoff_report, load_timelines
from bot.handoff.settings import HandoffSettings
from bot.storage.db import Database
from bot.storage.sessions import SessionStore
from bot.storage.transcript import Transcript
from tests.storage.conftest import FakeClock

from .helpers import wait_in_queue


async def test_report_figures_exact_to_the_second(
    desk: AgentDesk, queue: HandoffQueue, sessions: SessionStore, db: Database, clock: FakeClock
) -> None:
    # A window of its own on a shared database (earlier runs left tickets at the default
    # start); whole weeks keep the weekday and the time of day the business hours depend on.
    clock.advance(timedelta(weeks=random.randrange(1, 50_000)).total_seconds())
    start = clock.now()
    # T1, normal: citizen writes while waiting, then three answered exchanges
    _, t1 = await wait_in_queue(queue, sessions)
    clock.advance(20)
    await queue.citizen_message(t1.ticket_id)
    clock.advance(70)
    await desk.claim(t1.ticket_id, "alice")  # pick-up 90
    clock.advance(10)
    await desk.reply(t1.ticket_id, "alice", "hi")  # reply 10 (from the claim), first resp. 100
    clock.advance(30)
    await queue.citizen_message(t1.ticket_id)
    clock.advance(30)
    await desk.reply(t1.ticket_id, "alice", "a")  # reply 30
    await desk.reply(t1.ticket_id, "alice", "follow-up")  # nobody was waiting: not a reply
    clock.advance(10)
    await queue.citizen_message(t1.ticket_id)
    clock.advance(5)
    await queue.citizen_message(t1.ticket_id)
    clock.advance(40)
    await desk.reply(t1.ticket_id, "alice", "b")  # reply 45 (from the first unanswered)
    clock.advance(85)
    await desk.close(t1.ticket_id, "alice", "done")  # resolution 300
    # T2, simplified mode: picked up late (150 > 120)
    _, t2 = await wait_in_queue(queue, sessions, simple_mode=True)
    clock.advance(150)
    await desk.claim(t2.ticket_id, "bob")
    clock.advance(10)
    await desk.reply(t2.ticket_id, "bob", "hello")  # reply 10, first response 160
    clock.advance(240)
    await desk.close(t2.ticket_id, "bob", None)  # resolution 400
    queue.rate(t2.ticket_id, 4)
    # T3, normal: cancelled after 60 s (before the target: not counted for the SLA)
    _, t3 = await wait_in_queue(queue, sessions)
    clock.advance(60)
    await queue.cancel(t3.ticket_id)
    # T4, normal: silent, nudged at 300 s, abandoned at 600 s
    _, t4 = await wait_in_queue(queue, sessions)
    clock.advance(300)
    assert await desk.sweep() == []
    clock.advance(300)
    assert await desk.sweep() == [t4.ticket_id]
    # T5, simplified mode: picked up in time
    _, t5 = await wait_in_queue(queue, sessions, simple_mode=True)
    clock.advance(100)
    await desk.claim(t5.ticket_id, "alice")
    clock.advance(30)
    await desk.reply(t5.ticket_id, "alice", "hi")  # reply 30, first response 130
    clock.advance(70)
    await desk.close(t5.ticket_id, "alice", None)  # resolution 200
    queue.rate(t5.ticket_id, 5)
    clock.advance(1)
    end = clock.now()

    ours = {t.ticket_id for t in (t1, t2, t3, t4, t5)}
    # the window holds our five tickets (a shared database may hold others from other runs)
    timelines = [t for t in load_timelines(db, start, end) if t.ticket_id in ours]
    assert sorted(t.ticket_id for t in timelines) == sorted(ours)
    report = handoff_report(timelines, HandoffSettings(), start, end, end)
    overall = report["overall"]["calendar"]
    assert overall["tickets"] == 5 and overall["picked_up"] == 3
    assert overall["pickup_s"] == {
        "count": 3, "mean": 113.333, "median": 100.0, "p90": 150.0, "max": 150.0
    }  # fmt: skip
    assert overall["first_response_s"] == {
        "count": 3, "mean": 130.0, "median": 130.0, "p90": 160.0, "max": 160.0
    }  # fmt: skip
    assert overall["agent_reply_s"] == {
        "count": 5, "mean": 25.0, "median": 30.0, "p90": 45.0, "max": 45.0
    }  # fmt: skip
    assert overall["resolution_s"]["mean"] == 300.0 and overall["resolution_s"]["p90"] == 400.0
    assert (overall["abandoned"], overall["cancelled"], overall["abandonment_rate"]) == (1, 1, 0.2)
    assert overall["sla_pickup"] == {
        "0": {"target_s": 300, "eligible": 2, "met": 1, "attainment": 0.5},
        "1": {"target_s": 120, "eligible": 2, "met": 1, "attainment": 0.5},
    }
    assert overall["rating"] == {"count": 2, "mean": 4.5}
    # always open (no schedule): business hours are all hours
    assert report["overall"]["business_hours"] == overall
    alice = report["by_agent"]["alice"]["calendar"]
    assert alice["pickup_s"]["mean"] == 95.0
    assert alice["agent_reply_s"]["count"] == 4 and alice["agent_reply_s"]["mean"] == 28.75
    assert alice["sla_pickup"]["1"] == {"target_s": 120, "eligible": 1, "met": 1, "attainment": 1.0}
    bob = report["by_agent"]["bob"]["calendar"]
    assert bob["pickup_s"]["mean"] == 150.0 and bob["resolution_s"]["mean"] == 400.0
    assert list(report["by_team"]) == ["general"]
    assert list(report["by_day"]) == [start.date().isoformat()]
    assert report["by_day"][start.date().isoformat()]["calendar"] == overall


async def test_business_hours_variant_counts_only_office_time(
    redis: Redis, db: Database, clock: FakeClock, sessions: SessionStore
) -> None:
    hours = OfficeHours.parse("mon-fri 09:00-17:00", holidays="", zone="UTC")
    settings = HandoffSettings(office_hours=hours)
    queue = HandoffQueue(redis, db, clock, 120, settings)
    desk = AgentDesk(redis, queue, sessions, Transcript(db), clock)
    clock.advance(timedelta(weeks=random.randrange(1, 50_000)).total_seconds())  # own window
    clock.advance(4 * 86400 + 7 * 3600 + 58 * 60)  # Friday 16:58
    start = clock.now()
    _, ticket = await wait_in_queue(queue, sessions)
    clock.current = start + timedelta(days=2, hours=16, minutes=5)  # Monday 09:03
    await desk.claim(ticket.ticket_id, "alice")
    end = clock.now() + timedelta(seconds=1)
    timelines = [t for t in load_timelines(db, start, end) if t.ticket_id == ticket.ticket_id]
    assert len(timelines) == 1
    report = handoff_report(timelines, settings, start, end, end)
    calendar = report["overall"]["calendar"]
    business = report["overall"]["business_hours"]
    assert calendar["pickup_s"]["mean"] == 2 * 86400 + 16 * 3600 + 5 * 60
    assert business["pickup_s"]["mean"] == 120 + 180
    assert calendar["sla_pickup"]["0"]["attainment"] == 0.0
    assert business["sla_pickup"]["0"]["attainment"] == 1.0
