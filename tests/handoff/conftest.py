"""Handoff fixtures: the real queue on real Redis (embedded and REDIS_URL) and real SQL
(SQLite and DATABASE_URL), with the clock injected.

Handoff tests use Redis database 11 so that they never touch the queue of a stack another
test session is running on the same server, and a random week far from other tests' dates
so that reports over a shared PostgreSQL only see this test's tickets. Test sessions sharing one
Redis server (several checkouts) each give their own CIVIC_TEST_HANDOFF_DB."""

from __future__ import annotations

import os
import random
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse, urlunparse

import pytest
from redis.asyncio import Redis

from bot.agents.desk import AgentDesk
from bot.handoff.queue import HandoffQueue
from bot.handoff.settings import HandoffSettings
from bot.storage.db import Database
from bot.storage.sessions import SessionStore
from bot.storage.transcript import Transcript
from tests.storage.conftest import FakeClock

HANDOFF_DB = int(os.environ.get("CIVIC_TEST_HANDOFF_DB") or 11)


def handoff_redis(url: str) -> str:
    return urlunparse(urlparse(url)._replace(path=f"/{HANDOFF_DB}"))


async def wipe(redis: Redis) -> None:
    for pattern in ("civic:handoff:*", "civic:lock:handoff:*", "civic:agent:*"):
        async for key in redis.scan_iter(match=pattern, count=500):
            await redis.delete(key)


@pytest.fixture
def clock() -> FakeClock:
    """A Monday 09:00 UTC in a random week of 2040-2139 (distinct from other tests' dates)."""
    fake = FakeClock()
    monday = datetime(2040, 1, 2, 9, 0, tzinfo=UTC)  # a Monday
    fake.current = monday + timedelta(weeks=random.randrange(5200))
    return fake


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(handoff_redis(redis_url))
    await wipe(client)
    yield client
    await wipe(client)
    await client.aclose()


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    database.migrate()
    yield database
    database.dispose()


@pytest.fixture
def settings() -> HandoffSettings:
    return HandoffSettings()


@pytest.fixture
def queue(redis: Redis, db: Database, clock: FakeClock, settings: HandoffSettings) -> HandoffQueue:
    return HandoffQueue(redis, db, clock, default_wait_s=120, settings=settings)


@pytest.fixture
def sessions(redis: Redis) -> SessionStore:
    return SessionStore(redis, "en")


@pytest.fixture
def desk(
    redis: Redis, queue: HandoffQueue, sessions: SessionStore, db: Database, clock: FakeClock
) -> AgentDesk:
    return AgentDesk(redis, queue, sessions, Transcript(db), clock)
