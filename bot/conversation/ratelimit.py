"""Per-sender message rate limit in Redis, shared by every gateway replica.

Counted per channel identity (one Telegram chat, one REST conversation, one web visitor): the
router counts in the turn's first round trip, before it knows whether the identity is linked
to another citizen."""

from __future__ import annotations

from redis.asyncio.client import Pipeline

from bot.clock import Clock
from bot.errors import CivicError
from bot.storage import keys
from bot.storage.replies import Replies

WINDOW_S = 60


class RateLimited(CivicError):
    """The citizen sent more messages than allowed in the current minute."""

    def __init__(self, lang: str, retry_after_s: int) -> None:
        super().__init__(f"rate limited for {retry_after_s} s")
        self.lang = lang
        self.retry_after_s = retry_after_s


class RateLimiter:
    """Fixed one-minute windows: an INCR and an EXPIRE per message (pipelined with the turn's
    other first commands by the router)."""

    def __init__(self, clock: Clock, per_minute: int) -> None:
        self.clock = clock
        self.per_minute = per_minute

    def count_in(self, pipe: Pipeline, replies: Replies, channel_identity: str) -> float:
        """Queue this message's count (INCR, then EXPIRE: two windows after the last message);
        the INCR's reply, named "count", goes to `verdict` with the returned time."""
        now = self.clock.now().timestamp()
        key = keys.rate_limit(channel_identity, int(now // WINDOW_S))
        replies.next("count")
        pipe.incr(key)
        pipe.expire(key, WINDOW_S * 2)
        return now

    def verdict(self, count: int, now: float, lang: str) -> None:
        """RateLimited when `count` (this message's number in its window) is over the limit."""
        if count > self.per_minute:
            window = int(now // WINDOW_S)
            raise RateLimited(lang, max(1, int((window + 1) * WINDOW_S - now)))
