"""Forms left idle (bot/outcomes/idle_forms.py): a citizen silent in a form for longer than the
session idle time is counted once as dropped at their current step
(civic_bot_form_dropouts_total{reason="left"}), by whichever gateway sweeps first; submitted,
cancelled, paused and handed-over forms are closed and never counted as left; an event of a
form that is not open (the citizen came back after it was counted) opens nothing."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta
from typing import Any

from prometheus_client import REGISTRY
from redis.asyncio import Redis

from bot.outcomes import events as outcomes
from bot.outcomes import idle_forms
from bot.storage import keys
from bot.storage.db import Database
from bot.storage.sessions import Session

from .conftest import FakeClock

IDLE = 1800


def left(form: str, step: str) -> float:
    labels = {"form": form, "step": step, "reason": "left"}
    return REGISTRY.get_sample_value("civic_bot_form_dropouts_total", labels) or 0.0


async def turn(redis: Redis, citizen: str, at: datetime, *marks: dict[str, Any]) -> None:
    session = Session(citizen, "zh", channel="telegram")
    pipe = redis.pipeline(transaction=False)
    outcomes.queue_in(pipe, outcomes.events_of_turn(session, session, list(marks), None, at))
    await pipe.execute()


def mine(swept: list[dict[str, Any]], form: str) -> list[dict[str, Any]]:
    return [w for w in swept if w.get("form") == form]


async def test_a_silent_form_is_dropped_once_at_its_step(
    redis: Redis, citizen: str, clock: FakeClock
) -> None:
    form = f"idle_{uuid.uuid4().hex[:8]}"
    t0 = clock.now()
    await turn(redis, citizen, t0, {"kind": "form_started", "form": form},
               {"kind": "form_step", "form": form, "step": 1, "field": "a"})  # fmt: skip
    await turn(redis, citizen, t0 + timedelta(minutes=2),
               {"kind": "form_step", "form": form, "step": 2, "field": "b"})  # fmt: skip
    await turn(redis, citizen, t0 + timedelta(minutes=3),  # refused: still at step 2
               {"kind": "form_invalid", "form": form, "field": "b"})  # fmt: skip
    before = left(form, "2")
    at_limit = t0 + timedelta(minutes=3, seconds=IDLE)  # silent exactly the idle time: open
    assert mine(await idle_forms.sweep(redis, at_limit, IDLE), form) == []
    past = at_limit + timedelta(seconds=1)
    swept, again = await asyncio.gather(
        idle_forms.sweep(redis, past, IDLE), idle_forms.sweep(redis, past, IDLE)
    )  # two gateway replicas sweeping at once
    assert mine(swept, form) + mine(again, form) == [
        {"form": form, "step": 2, "lang": "zh", "channel": "telegram"}
    ]
    assert left(form, "2") == before + 1
    assert mine(await idle_forms.sweep(redis, past + timedelta(hours=5), IDLE), form) == []
    # the citizen comes back and answers: that run was already counted, nothing reopens
    await turn(redis, citizen, past + timedelta(hours=1),
               {"kind": "form_step", "form": form, "step": 3, "field": "c"})  # fmt: skip
    assert mine(await idle_forms.sweep(redis, past + timedelta(hours=3), IDLE), form) == []
    assert left(form, "2") == before + 1 and left(form, "3") == 0


async def test_finished_forms_are_never_left(redis: Redis, citizen: str, clock: FakeClock) -> None:
    t0 = clock.now()
    forms = {}
    for end in idle_forms.CLOSES:
        form = f"{end}_{uuid.uuid4().hex[:8]}"
        forms[end] = form
        await turn(redis, citizen, t0, {"kind": "form_started", "form": form},
                   {"kind": "form_step", "form": form, "step": 1})  # fmt: skip
        await turn(redis, citizen, t0 + timedelta(minutes=1), {"kind": end, "form": form,
                                                                "step": 1})  # fmt: skip
    resumed = f"resumed_{uuid.uuid4().hex[:8]}"  # a paused draft resumed opens a new run
    await turn(redis, citizen, t0 + timedelta(minutes=2), {"kind": "form_resumed",
                                                           "form": resumed})  # fmt: skip
    swept = await idle_forms.sweep(redis, t0 + timedelta(days=1), IDLE)
    assert [w for w in swept if w.get("form") in forms.values()] == []
    assert mine(swept, resumed) == [
        {"form": resumed, "step": None, "lang": "zh", "channel": "telegram"}
    ]
    assert left(resumed, "") >= 1


async def test_the_outcome_drain_sweeps_with_the_gateway_clock(
    redis: Redis, db: Database, citizen: str, clock: FakeClock
) -> None:
    form = f"drain_{uuid.uuid4().hex[:8]}"
    await turn(redis, citizen, clock.now(), {"kind": "form_started", "form": form},
               {"kind": "form_step", "form": form, "step": 4})  # fmt: skip
    drain = outcomes.OutcomeDrain(redis, db, clock=clock, idle_s=IDLE)
    before = left(form, "4")
    await drain.tick()
    assert left(form, "4") == before
    clock.advance(IDLE + 1)
    await drain.tick()
    assert left(form, "4") == before + 1
    member = f"{outcomes.subject_of(citizen)}|{form}"
    assert await redis.zscore(keys.open_forms(), member) is None
    assert not await redis.hexists(keys.open_form_steps(), member)
