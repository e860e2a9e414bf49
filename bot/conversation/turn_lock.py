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
from redis.exceptions import LockError

from bot.storage.redis_lean import CommandQueue

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

    def try_acquire_in(self, pipe: CommandQueue) -> None:
        """Queue one attempt; pass its result to `acquired()`."""
        pipe.set(self.name, self.token, nx=True, px=self.timeout_ms)

    def acquired(self, result: object) -> bool:
        self.held = bool(result)
        return self.held

    async def acquire(self) -> None:
        """Wait for the lock (another turn of this citizen holds it); LockError after the
        blocking timeout."""
        deadline = time.monotonic() + self.blocking_timeout_s
        while not await self.redis.set(self.name, self.token, nx=True, px=self.timeout_ms):
            if time.monotonic() >= deadline:
                raise LockError(f"could not take {self.name} in {self.blocking_timeout_s} s")
            await asyncio.sleep(_POLL_S)
        self.held = True

    def release_in(self, pipe: CommandQueue) -> None:
        """Queue the release (it deletes the key only while it still holds our token)."""
        pipe.eval(_RELEASE, 1, self.name, self.token)
        self.held = False

    async def release(self) -> None:
        if self.held:
            self.held = False
            await self.redis.eval(_RELEASE, 1, self.name, self.token)  # type: ignore[misc]
