"""The per-citizen turn lock, in a form whose commands can ride in a pipeline.

Same protocol as redis-py's `Lock` (SET key token NX PX; release = delete only if the value is
still our token), so it excludes exactly the same holders: the agent desk and account linking
take the same key with redis-py's Lock. The router queues the acquisition together with the
turn's first reads and the release together with the turn's writes, instead of spending a
round trip on each (a turn went from about ten Redis round trips to three).
"""

from __future__ import annotations

import asyncio
import time
import uuid

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from bot.errors import Busy
from bot.storage.replies import Replies

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
_POLL_S = 0.02


class TurnLock:
    def __init__(
        self, redis: Redis, name: str, timeout_s: float = 120, blocking_timeout_s: float = 60
    ) -> None:
        self.redis = redis
        self.name = name
        self.timeout_ms = int(timeout_s * 1000)
        self.blocking_timeout_s = blocking_timeout_s
        self.token = uuid.uuid4().hex
        self.held = False

    def try_acquire_in(self, pipe: Pipeline, replies: Replies) -> None:
        """Queue one attempt; pass its reply, named "locked", to `acquired()`."""
        replies.next("locked")
        pipe.set(self.name, self.token, nx=True, px=self.timeout_ms)

    def acquired(self, result: object) -> bool:
        self.held = bool(result)
        return self.held

    async def acquire(self) -> None:
        """Wait for the lock (another turn of this citizen holds it); Busy after the blocking
        timeout (the citizen's previous message is still being answered: Redis is fine)."""
        deadline = time.monotonic() + self.blocking_timeout_s
        while not await self.redis.set(self.name, self.token, nx=True, px=self.timeout_ms):
            if time.monotonic() >= deadline:
                raise Busy(f"could not take {self.name} in {self.blocking_timeout_s} s")
            await asyncio.sleep(_POLL_S)
        self.held = True

    def release_in(self, pipe: Pipeline, replies: Replies) -> None:
        """Queue the release (it deletes the key only while it still holds our token); its
        reply, named "released", goes to `released()` once the pipeline has run. Until then
        the lock counts as held, so `release()` still frees it when the pipeline failed."""
        replies.next("released")
        pipe.eval(_RELEASE, 1, self.name, self.token)

    def released(self, result: object) -> bool:
        """The queued release ran: False when the key was no longer ours (it expired)."""
        self.held = False
        return bool(result)

    async def release(self) -> None:
        if self.held:
            self.held = False
            await self.redis.eval(_RELEASE, 1, self.name, self.token)  # type: ignore[misc]
