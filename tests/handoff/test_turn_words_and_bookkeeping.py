"""One vocabulary for cancel / person / restart wherever the citizen is, and the router's
Redis bookkeeping: the turn lock is free after a failed end of turn, and every pipeline reply
is read by name (a helper queuing one more command shifts nothing). Through the real router
on real Redis and SQL, with Rasa not running."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.exceptions import ConnectionError as RedisConnectionError

from api.errors import error_response
from bot.conversation.ratelimit import RateLimited, RateLimiter
from bot.conversation.turn_lock import TurnLock
from bot.errors import Busy
from bot.handoff.dialogue import HandoffDialogue
from bot.handoff.settings import HandoffSettings
from bot.storage import keys
from bot.storage.db import Database
from bot.storage.replies import Replies
from bot.storage.sessions import SessionStore
from common.vocabulary import is_cancel, is_restart, wants_person
from tests.handoff.test_dialogue import World, closed_now
from tests.storage.conftest import FakeClock


@pytest.mark.parametrize("word", ["不等了", "不用了", "取消", "cancel", "stop waiting"])
async def test_every_cancel_word_leaves_the_queue(
    redis: Redis, db: Database, clock: FakeClock, word: str
) -> None:
    world, who = World(redis, db, clock, HandoffSettings()), uuid.uuid4().hex[:8]
    assert (await world.say(who, "人工")).state.mode == "waiting_for_agent"
    reply = await world.say(who, word)
    assert reply.state.mode == "bot" and reply.state.queue_position is None
    assert f"rest:{who}" not in [t.citizen_id for t in await world.queue.waiting()]


@pytest.mark.parametrize("word", ["不等了", "不用了", "算了", "never mind"])
async def test_every_cancel_word_ends_the_handoff_offer(
    redis: Redis, db: Database, clock: FakeClock, word: str
) -> None:
    world, who = World(redis, db, clock, closed_now()), uuid.uuid4().hex[:8]
    await world.say(who, "human")
    assert (await world.sessions.get(f"rest:{who}")).pending == "offer"
    reply = await world.say(who, word)
    assert (await world.sessions.get(f"rest:{who}")).pending is None
    assert reply.messages and reply.state.mode == "bot"


async def test_starting_over_ends_the_offer_and_goes_to_the_bot(
    redis: Redis, db: Database, clock: FakeClock
) -> None:
    world, who = World(redis, db, clock, closed_now()), uuid.uuid4().hex[:8]
    await world.say(who, "human")
    await world.say(who, "Leave a message", payload="/leave_message")
    reply = await world.say(who, "重新开始")  # not the message for the agents
    assert (await world.sessions.get(f"rest:{who}")).pending is None
    assert f"rest:{who}" not in [t.citizen_id for t in await world.queue.waiting()]
    assert "H-" not in reply.messages[0].text  # the bot (down here) answered, no ticket


def test_the_vocabulary_is_the_same_in_both_languages_and_takes_only_commands() -> None:
    for word in ("cancel", "Cancel please", "stop waiting", "取消", "不等了", "不用了", "不办了"):
        assert is_cancel(word), word
    for word in ("human", "talk to a real person", "0", "人工", "转人工", "/request_human"):
        assert wants_person(word), word
    for word in ("restart", "start over", "Start over!", "重新开始", "重新开始吧", "/start_over"):
        assert is_restart(word), word
    for sentence in ("how do I cancel my booking?", "取消预约怎么办", "is a human there at night"):
        assert not (is_cancel(sentence) or wants_person(sentence) or is_restart(sentence))


async def test_a_failed_end_of_turn_leaves_the_lock_free(
    redis: Redis, db: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The end-of-turn pipeline never reaches Redis: the lock is still released (before, it
    counted as released once queued and stayed for its TTL; the next message waited)."""
    world, who = World(redis, db, clock, HandoffSettings()), uuid.uuid4().hex[:8]
    lock = keys.conversation_lock(f"rest:{who}")
    real_execute = Pipeline.execute
    failed = []

    async def end_of_turn_fails(self: Pipeline, raise_on_error: bool = True) -> list[Any]:
        releases = [c for c, _ in self.command_stack if c[0] == "EVALSHA" or c[0] == "EVAL"]
        if any(lock in command for command in releases):  # the turn's end: lost on the way
            failed.append(True)
            await self.reset()
            raise RedisConnectionError("Connection to Redis lost")
        return await real_execute(self, raise_on_error)

    monkeypatch.setattr(Pipeline, "execute", end_of_turn_fails)
    with pytest.raises(RedisConnectionError):
        await world.say(who, "hello")
    assert failed == [True]
    assert not await redis.exists(lock)


async def test_pipeline_replies_are_read_by_name(
    redis: Redis, db: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every helper queues one more command before its own: the router still reads the lock,
    the session, the count and the released lock right."""
    extra = "civic:test:extra"

    def before(method: Any) -> Any:
        def queued_after_an_extra_command(self: Any, pipe: Pipeline, *args: Any) -> Any:
            pipe.exists(extra)
            return method(self, pipe, *args)

        return queued_after_an_extra_command

    monkeypatch.setattr(TurnLock, "try_acquire_in", before(TurnLock.try_acquire_in))
    monkeypatch.setattr(TurnLock, "release_in", before(TurnLock.release_in))
    monkeypatch.setattr(RateLimiter, "count_in", before(RateLimiter.count_in))
    monkeypatch.setattr(SessionStore, "save_in", before(SessionStore.save_in))
    world, who = World(redis, db, clock, HandoffSettings()), uuid.uuid4().hex[:8]
    world.router.rate_limiter = RateLimiter(clock, per_minute=3)
    world.router.dialogue = HandoffDialogue(world.queue, HandoffSettings(), clock)
    assert (await world.say(who, "human")).state.mode == "waiting_for_agent"
    assert not await redis.exists(keys.conversation_lock(f"rest:{who}"))
    reply = await world.say(who, "still there?")  # the session was read back: still waiting
    assert reply.state.mode == "waiting_for_agent" and reply.state.queue_position == 1
    await world.say(who, "hello?")
    with pytest.raises(RateLimited):  # the 4th message in the minute
        await world.say(who, "hello??")
    assert not await redis.exists(keys.conversation_lock(f"rest:{who}"))


def test_replies_name_the_next_command() -> None:
    queued: list[str] = []
    replies = Replies(queued)
    queued.append("GET a")
    replies.next("b")
    queued.append("GET b")
    queued.append("GET c")
    assert replies.read(["A", "B", "C"]) == {"b": "B"}


async def test_a_lock_wait_that_times_out_is_busy_not_a_store_down(
    redis: Redis, db: Database, clock: FakeClock
) -> None:
    """The citizen's previous turn still holds the lock: the next message is told to retry
    (409 busy), not that a store is unavailable."""
    world, who = World(redis, db, clock, HandoffSettings()), uuid.uuid4().hex[:8]
    world.router.lock_wait_s = 0.2
    lock = keys.conversation_lock(f"rest:{who}")
    await redis.set(lock, "another turn", px=60_000)
    try:
        with pytest.raises(Busy) as busy:
            await world.say(who, "hello")
    finally:
        await redis.delete(lock)
    response = error_response(busy.value)
    assert response is not None and response.status_code == 409
    assert b"still being answered" in response.body and b"store" not in response.body
    assert (await world.say(who, "human")).state.mode == "waiting_for_agent"  # then it goes on
