"""Per-citizen message rate limit in Redis, shared by every gateway replica."""

from __future__ import annotations

from redis.asyncio import Redis

from bot import keys
from bot.clock import Clock
from bot.errors import CivicError

WINDOW_S = 60


class RateLimited(CivicError):
    """The citizen sent more messages than allowed in the current minute."""

    def __init__(self, lang: str, retry_after_s: int) -> None:
        super().__init__(f"rate limited for {retry_after_s} s")
        self.lang = lang
        self.retry_after_s = retry_after_s


class RateLimiter:
    """Fixed one-minute windows: one INCR (and one EXPIRE on the first hit) per message."""

    def __init__(self, redis: Redis, clock: Clock, per_minute: int) -> None:
        self.redis = redis
        self.clock = clock
        self.per_minute = per_minute

    async def check(self, citizen_id: str, lang: str) -> None:
        now = self.clock.now().timestamp()
        window = int(now // WINDOW_S)
        key = keys.rate_limit(citizen_id, window)
        count = int(await self.redis.incr(key))
        if count == 1:
            await self.redis.expire(key, WINDOW_S * 2)
        if count > self.per_minute:
            raise RateLimited(lang, max(1, int((window + 1) * WINDOW_S - now)))
