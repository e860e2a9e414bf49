"""The gateway's parts wired together, with their start, stop and health."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import httpx
from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.clock import Clock, SystemClock
from bot.db import Database
from bot.handoff import HandoffQueue
from bot.rasa_client import RasaClient
from bot.router import ConversationRouter
from bot.sessions import SessionStore
from bot.settings import Settings
from bot.transcript import Transcript


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

    @classmethod
    def create(cls, settings: Settings, clock: Clock | None = None) -> Gateway:
        clock = clock or SystemClock()
        redis = Redis.from_url(settings.redis_url, health_check_interval=30)
        db = Database(settings.database_url)
        sessions = SessionStore(redis, settings.default_lang)
        transcript = Transcript(db)
        rasa = RasaClient(settings.rasa_url, settings.rasa_timeout_s)
        handoff = HandoffQueue(redis, db, clock, settings.default_wait_s)
        router = ConversationRouter(
            redis, sessions, transcript, rasa, handoff, settings.max_message_chars
        )
        return cls(settings, redis, db, sessions, transcript, rasa, handoff, router, clock)

    async def start(self) -> None:
        await asyncio.to_thread(self.db.migrate)

    async def close(self) -> None:
        await self.rasa.close()
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
                async with httpx.AsyncClient(timeout=2.0) as client:
                    return (await client.get(url)).status_code == 200
            except httpx.HTTPError:
                return False

        redis, db, rasa, actions = await asyncio.gather(
            redis_ok(), asyncio.to_thread(self.db.ping), self.rasa.healthy(), actions_ok()
        )
        state = {"redis": redis, "database": db, "rasa": rasa, "actions": actions}
        return {name: "ok" if up else "down" for name, up in state.items()}
