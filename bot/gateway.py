"""The gateway's parts wired together, with their start, stop and health."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field

import httpx
from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.agents.accounts import AgentAccounts
from bot.agents.desk import AgentDesk
from bot.clock import Clock, SystemClock
from bot.conversation.ratelimit import RateLimiter
from bot.conversation.router import ConversationRouter
from bot.delivery.ledger import DeliveryLedger
from bot.delivery.linking import AccountLinker
from bot.delivery.outbox import Delivery
from bot.handoff.dialogue import HandoffDialogue
from bot.handoff.queue import HandoffQueue
from bot.handoff.settings import HandoffSettings
from bot.rasa.client import RasaClient
from bot.settings import Settings
from bot.simple_mode.reminders import IdleReminders
from bot.storage.db import Database
from bot.storage.sessions import SessionStore
from bot.storage.transcript import Transcript


@dataclass
class Gateway:
    settings: Settings
    redis: Redis
    db: Database
    sessions: SessionStore
    transcript: Transcript
    rasa: RasaClient
    handoff: HandoffQueue
    router: ConversationRouter
    clock: Clock
    started_at: float = field(default_factory=time.monotonic)
    delivery: Delivery | None = None  # pushes agent replies and updates to linked channels
    handoff_settings: HandoffSettings = field(default_factory=HandoffSettings)
    desk: AgentDesk | None = None  # what agents do to conversations (the console's backend)
    agents: AgentAccounts | None = None  # agent accounts, console sessions, audit log
    sweeper: asyncio.Task[None] | None = None  # periodic abandonment sweep
    reminder_task: asyncio.Task[None] | None = None  # simplified-mode idle reminders
    # one client for health probes (load balancers call /healthz every few seconds)
    probe: httpx.AsyncClient = field(default_factory=lambda: httpx.AsyncClient(timeout=2.0))

    @classmethod
    def create(cls, settings: Settings, clock: Clock | None = None) -> Gateway:
        clock = clock or SystemClock()
        redis = Redis.from_url(settings.redis_url, health_check_interval=30)
        db = Database(settings.database_url)
        sessions = SessionStore(redis, settings.default_lang)
        transcript = Transcript(db)
        rasa = RasaClient(settings.rasa_url, settings.rasa_timeout_s)
        handoff_settings = HandoffSettings.from_env()
        handoff = HandoffQueue(redis, db, clock, settings.default_wait_s, handoff_settings)
        links = AccountLinker(redis, db, sessions, transcript, DeliveryLedger(redis))
        router = ConversationRouter(
            redis, sessions, transcript, rasa, handoff, settings.max_message_chars, links
        )
        gateway = cls(settings, redis, db, sessions, transcript, rasa, handoff, router, clock)
        gateway.delivery = Delivery(redis, sessions, transcript)
        gateway.handoff_settings = handoff_settings
        gateway.desk = AgentDesk(redis, handoff, sessions, transcript, clock)
        router.dialogue = HandoffDialogue(handoff, handoff_settings, clock)
        router.rate_limiter = RateLimiter(clock, settings.rate_limit_per_min)
        router.reminders = IdleReminders(
            redis, sessions, transcript, clock, settings.idle_reminder_s
        )
        hs = handoff_settings
        gateway.agents = AgentAccounts(
            db, redis, clock, session_ttl_s=hs.session_ttl_s,
            max_failures=hs.login_max_failures, window_s=hs.login_window_s,
        )  # fmt: skip
        return gateway

    async def start(self) -> None:
        await asyncio.to_thread(self.db.migrate)
        if self.desk is not None:
            interval = self.handoff_settings.sweep_interval_s
            self.sweeper = asyncio.create_task(self.desk.run_sweeps(interval))
        if self.router.reminders is not None:
            self.reminder_task = asyncio.create_task(self._remind_forever())

    async def _remind_forever(self) -> None:
        reminders = self.router.reminders
        while reminders is not None:
            await asyncio.sleep(self.handoff_settings.sweep_interval_s)
            try:
                await reminders.sweep()
            except Exception:  # a sweep must never stop the loop
                logging.getLogger(__name__).exception("idle reminder sweep failed")

    async def close(self) -> None:
        for task in (self.sweeper, self.reminder_task):
            if task is not None:
                task.cancel()
        if self.delivery is not None:
            await self.delivery.stop()
        await self.rasa.close()
        await self.router.lean.aclose()
        await self.probe.aclose()
        await self.redis.aclose()
        self.db.dispose()

    async def health(self) -> dict[str, str]:
        """Each dependency's state: "ok" or "down"."""

        async def redis_ok() -> bool:
            try:
                return bool(await self.redis.ping())
            except (RedisError, OSError):
                return False

        async def actions_ok() -> bool:
            url = self.settings.actions_url.rsplit("/webhook", 1)[0] + "/health"
            try:
                return (await self.probe.get(url)).status_code == 200
            except httpx.HTTPError:
                return False

        redis, db, rasa, actions = await asyncio.gather(
            redis_ok(), asyncio.to_thread(self.db.ping), self.rasa.healthy(), actions_ok()
        )
        state = {"redis": redis, "database": db, "rasa": rasa, "actions": actions}
        return {name: "ok" if up else "down" for name, up in state.items()}
