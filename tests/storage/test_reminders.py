import json

from redis.asyncio import Redis

from bot.simple_mode.reminders import IdleReminders
from bot.storage import keys
from bot.storage.db import Database
from bot.storage.sessions import SessionStore
from bot.storage.transcript import Transcript

from .conftest import FakeClock


async def in_form(redis: Redis, citizen: str, form: str | None) -> None:
    events = [{"event": "active_loop", "name": form}] if form else []
    await redis.set(keys.RASA_TRACKER_PREFIX + citizen, json.dumps({"events": events}))


async def test_idle_simplified_citizen_in_a_form_is_reminded_once(
    redis: Redis, db: Database, clock: FakeClock, citizen: str
) -> None:
    sessions = SessionStore(redis, "zh")
    transcript = Transcript(db)
    reminders = IdleReminders(redis, sessions, transcript, clock, after_s=600)
    others = [citizen + ":no-form", citizen + ":standard"]
    await sessions.save((await sessions.get(citizen)).but(simple_mode=True))
    await sessions.save((await sessions.get(others[0])).but(simple_mode=True))
    await in_form(redis, citizen, "report_street_problem")
    await in_form(redis, others[0], None)
    await in_form(redis, others[1], "book_appointment")
    await reminders.touch(citizen, True)
    await reminders.touch(others[0], True)
    await reminders.touch(others[1], False)

    clock.advance(599)
    assert citizen not in await reminders.sweep()
    clock.advance(2)
    reminded = await reminders.sweep()
    assert citizen in reminded and not set(others) & set(reminded)
    [message] = transcript.outgoing_after(citizen, 0)
    assert "保存" in message.text and message.buttons[-1].payload == "/request_human"
    clock.advance(3600)
    assert citizen not in await reminders.sweep()  # once, until the citizen writes again
    await reminders.touch(citizen, True)
    clock.advance(601)
    assert citizen in await reminders.sweep()
