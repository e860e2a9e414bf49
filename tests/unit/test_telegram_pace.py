"""Telegram's limits counted in Redis across replicas (channels/telegram_pace.py), on real
Redis: two pacers on one Redis stand for two gateway replicas."""

from __future__ import annotations

import asyncio
import random
import time

from redis.asyncio import Redis

from bot.storage import keys
from channels.telegram_pace import TelegramPace


async def test_the_bot_wide_limit_is_shared_by_every_replica(redis_url: str) -> None:
    one, two = Redis.from_url(redis_url), Redis.from_url(redis_url)
    try:
        await one.delete(keys.telegram_rate())
        replicas = [TelegramPace(one, per_second=10), TelegramPace(two, per_second=10)]
        granted: list[float] = []

        async def send(n: int) -> None:
            await replicas[n % 2].wait(random.randrange(10**9), pace_chat=False)
            granted.append(time.monotonic())

        started = time.monotonic()
        await asyncio.gather(*(send(n) for n in range(25)))
        # 10 per window: the 21st message cannot go before two windows have passed
        assert len(granted) == 25
        assert sorted(granted)[20] - started >= 1.9
    finally:
        await one.aclose()
        await two.aclose()


async def test_pushed_messages_to_one_chat_go_one_a_second(redis_url: str) -> None:
    redis = Redis.from_url(redis_url)
    try:
        pace = TelegramPace(redis)
        chat = random.randrange(10**9)
        other = chat + 1
        started = time.monotonic()
        await pace.wait(chat, pace_chat=True)
        await pace.wait(other, pace_chat=True)  # another chat has its own second
        assert await redis.pttl(keys.telegram_chat_next(other)) > 0
        await pace.wait(chat, pace_chat=True)
        assert time.monotonic() - started >= 0.95
        await pace.wait(chat, pace_chat=False)  # a direct reply is not paced per chat
    finally:
        await redis.aclose()
