"""The gateway's parts wired together, with their start, stop and health."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.agents.accounts import AgentAccounts
from bot.agents.desk import AgentDesk
from bot.cases.service import CaseService, CaseSettings
from bot.clock import Clock, SystemClock
from bot.conversation.ratelimit import RateLimiter
from bot.conversation.router import ConversationRouter
from bot.delivery.ledger import DeliveryLedger
from bot.delivery.linking import AccountLinker
from bot.delivery.outbox import Delivery
from bot.handoff.dialogue import HandoffDialogue
from bot.handoff.queue import HandoffQueue
from bot.handoff.settings import HandoffSettings
from bot.outcomes.events import OutcomeDrain
from bot.rasa.client import RasaClient
from bot.rasa.http import HttpPool
from bot.settings import Settings
from bot.simple_mode.reminders import IdleReminders
from bot.storage.db import Database
from bot.storage.sessions import SessionStore
from bot.storage.transcript import Transcript

OUTCOME_DRAIN_S = 2.0  # how often outcome events move from Redis to SQL


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
    desk_task: asyncio.Task[None] | None = None  # availability, time-outs, auto assignment
    reminder_task: asyncio.Task[None] | None = None  # simplified-mode idle reminders
    outcome_task: asyncio.Task[None] | None = None  # outcome events from Redis to SQL
    outcome_drain: OutcomeDrain | None = None  # (also run on demand: the console's ticket view)
    cases: CaseService | None = None  # cases: workflow, notifications, webhooks, departments
    # the pooled HTTP client of every outgoing call: Rasa, health probes, push callbacks
    http: HttpPool = field(default_factory=lambda: HttpPool(10.0))

    @classmethod
    def create(
        cls,
        settings: Settings,
        handoff_settings: HandoffSettings,
        clock: Clock | None = None,
        connection_schemes: frozenset[str] = frozenset(),
        case_settings: CaseSettings | None = None,
    ) -> Gateway:
        """Every part, built complete from the process's settings (read once, at start);
        `connection_schemes`: the channels whose identities may have several connections."""
        clock = clock or SystemClock()
        redis = Redis.from_url(  # a stalled Redis fails a turn (503) instead of hanging it
            settings.redis_url,
            health_check_interval=30,
            socket_timeout=settings.redis_timeout_s,
            socket_connect_timeout=settings.redis_timeout_s,
        )
        db = Database(settings.database_url)
        sessions = SessionStore(redis, settings.default_lang)
        transcript = Transcript(db)
        http = HttpPool(max(settings.rasa_timeout_s, 10.0))
        rasa = RasaClient(settings.rasa_url, settings.rasa_timeout_s, http)
        handoff = HandoffQueue(redis, db, clock, settings.default_wait_s, handoff_settings)
        links = AccountLinker(redis, db, sessions, transcript, DeliveryLedger(redis))
        cases = CaseService(
            db, redis, sessions, clock, handoff_settings.office_hours,
            case_settings or CaseSettings(),
        )  # fmt: skip
        router = ConversationRouter(
            redis, sessions, transcript, rasa, handoff, settings.max_message_chars,
            links=links,
            dialogue=HandoffDialogue(handoff, handoff_settings, clock),
            rate_limiter=RateLimiter(clock, settings.rate_limit_per_min),
            reminders=IdleReminders(redis, sessions, transcript, clock, settings.idle_reminder_s),
            connection_schemes=connection_schemes,
            cases=cases.dialogue,
        )  # fmt: skip
        gateway = cls(settings, redis, db, sessions, transcript, rasa, handoff, router, clock)
        gateway.http = http
        gateway.delivery = Delivery(redis, sessions, transcript)
        gateway.handoff_settings = handoff_settings
        gateway.desk = AgentDesk(redis, handoff, sessions, transcript, clock)
        gateway.cases = cases
        hs = handoff_settings
        gateway.agents = AgentAccounts(
            db, redis, clock, session_ttl_s=hs.session_ttl_s,
            max_failures=hs.login_max_failures, window_s=hs.login_window_s,
            default_capacity=hs.agent_capacity,
        )  # fmt: skip
        return gateway

    async def start(self) -> None:
        # never migrates: `civic up` and the migrations Job do, once (replicas would race)
        await asyncio.to_thread(self.db.wait_for_schema, self.settings.schema_wait_s)
        if self.desk is not None:
            interval = self.handoff_settings.sweep_interval_s
            self.sweeper = asyncio.create_task(self.desk.run_sweeps(interval))
            tick = self.handoff_settings.desk_tick_s
            self.desk_task = asyncio.create_task(self.desk.run_desk(tick))
        if self.router.reminders is not None:
            self.reminder_task = asyncio.create_task(self._remind_forever())
        if self.cases is not None:
            await self.cases.start()
        drain = OutcomeDrain(
            self.redis, self.db, clock=self.clock, idle_s=self.settings.session_idle_s
        )
        self.outcome_drain = drain
        self.outcome_task = asyncio.create_task(drain.run(OUTCOME_DRAIN_S))

    async def _remind_forever(self) -> None:
        reminders = self.router.reminders
        while reminders is not None:
            await asyncio.sleep(self.handoff_settings.sweep_interval_s)
            try:
                await reminders.sweep()
            except Exception:  # a sweep must never stop the loop
                logging.getLogger(__name__).exception("idle reminder sweep failed")

    async def close(self) -> None:
        for task in (self.sweeper, self.desk_task, self.reminder_task, self.outcome_task):
            if task is not None:
                task.cancel()
        if self.delivery is not None:
            await self.delivery.stop()
        if self.cases is not None:
            await self.cases.close()
        await self.rasa.close()
        await self.http.close()
        await self.redis.aclose()
        self.db.dispose()

    async def health(self) -> dict[str, str]:
        """Each dependency's state: "ok" or "down"."""

        async def redis_ok() -> bool:
            try:
                return bool(await self.redis.ping())
            except (RedisError, OSError):
                return False

        actions_url = self.settings.actions_url.rsplit("/webhook", 1)[0] + "/health"
        redis, db, rasa, actions = await asyncio.gather(
            redis_ok(), asyncio.to_thread(self.db.ping), self.rasa.healthy(),
            self.http.ok(actions_url),
        )  # fmt: skip
        state = {"redis": redis, "database": db, "rasa": rasa, "actions": actions}
        return {name: "ok" if up else "down" for name, up in state.items()}
