"""Cases as one service of the gateway: the store, the citizen notifications, the webhook
outbox, department keys and the conversation step, with the background sweep that sends
what is due. HTTP adapters (api/cases.py, console/cases.py) only translate to and from it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass

from redis.asyncio import Redis

from bot.cases.departments import Departments
from bot.cases.dialogue import CaseDialogue
from bot.cases.notify import CaseNotifier
from bot.cases.store import CaseStore
from bot.cases.timing import Hours
from bot.cases.webhooks import SCHEDULE_S, WebhookDispatcher
from bot.cases.workflow import workflow_for, workflows
from bot.clock import Clock
from bot.errors import ConfigError
from bot.settings import _float
from bot.storage.db import Database
from bot.storage.sessions import SessionStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CaseSettings:
    sweep_s: float = 5.0  # how often each gateway looks for due notifications and webhooks
    webhook_timeout_s: float = 15.0
    webhook_schedule_s: tuple[float, ...] = SCHEDULE_S

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> CaseSettings:
        env = os.environ if environ is None else environ
        raw = (env.get("CIVIC_WEBHOOK_SCHEDULE_S") or "").strip()
        schedule = SCHEDULE_S
        if raw:
            try:
                schedule = tuple(float(x) for x in raw.split(",") if x.strip())
            except ValueError:
                schedule = ()
            if not schedule or any(s <= 0 for s in schedule):
                raise ConfigError(
                    "CIVIC_WEBHOOK_SCHEDULE_S must be comma-separated positive seconds, "
                    f"got {raw!r}"
                )
        workflows()  # a malformed workflow or webhook setting stops the start here
        return cls(
            sweep_s=_float(env, "CIVIC_CASE_SWEEP_S", 5.0),
            webhook_timeout_s=_float(env, "CIVIC_WEBHOOK_TIMEOUT_S", 15.0),
            webhook_schedule_s=schedule,
        )


class CaseService:
    def __init__(
        self,
        db: Database,
        redis: Redis,
        sessions: SessionStore,
        clock: Clock,
        hours: Hours,
        settings: CaseSettings | None = None,
    ) -> None:
        self.settings = settings or CaseSettings()
        self.store = CaseStore(db, clock, hours, workflow_for)
        self.notifier = CaseNotifier(self.store, redis, sessions)
        self.webhooks = WebhookDispatcher(
            db,
            clock,
            workflow_for,
            schedule_s=self.settings.webhook_schedule_s,
            timeout_s=self.settings.webhook_timeout_s,
        )
        self.departments = Departments(db, clock)
        self.dialogue = CaseDialogue(self.store, on_change=self.changed)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing = False

    def changed(self) -> None:
        """Something was written: send what became due without waiting for the next sweep."""
        self._wake.set()

    async def sweep(self) -> None:
        await self.notifier.sweep()
        await self.webhooks.sweep()

    async def _run(self) -> None:
        while not self._closing:
            # asyncio.timeout, not wait_for: Python 3.11's wait_for swallows a cancellation
            # that arrives as the wake-up does
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.settings.sweep_s):
                    await self._wake.wait()
            self._wake.clear()
            try:
                await self.sweep()
            except Exception:  # the loop must go on (a store down: the next sweep retries)
                log.exception("case sweep failed")

    async def start(self) -> None:
        if self._task is None:
            self._closing = False
            self._task = asyncio.create_task(self._run())
            self._wake.set()  # what was left due by a stopped gateway goes out now

    async def close(self) -> None:
        """Stop the sweep. A cancellation can be lost on its way (the Redis client swallows one
        that arrives while it takes a lock): cancel again until the task has ended, and the
        loop also stops by itself at its next turn."""
        self._closing = True
        task, self._task = self._task, None
        while task is not None and not task.done():
            task.cancel()
            await asyncio.wait({task}, timeout=1.0)
        if task is not None and not task.cancelled() and task.exception() is not None:
            log.warning("the case sweep ended with %r", task.exception())
        await self.webhooks.close()
