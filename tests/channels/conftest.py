"""Channel tests run on the real stack (tests/integration/conftest.py) with a fake Bot API."""

from __future__ import annotations

import random
from pathlib import Path

import redis

from bot import keys
from bot.db import Database
from bot.messages import OutgoingMessage
from bot.transcript import Transcript
from civic.stack import Stack

# the session-scoped `stack` and `fake_telegram` fixtures come from tests/conftest.py (one
# stack per session, shared with tests/integration and tests/console)
from tests.conftest import API_KEY, Citizen

__all__ = ["API_KEY", "Citizen", "agent_says", "new_chat_id"]

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"


def new_chat_id() -> int:
    return random.randint(10**8, 10**9)


def database_url(stack: Stack) -> str:
    return stack.config.database_url or f"sqlite:///{stack.config.var_dir / 'civic.db'}"


def transcript(stack: Stack, citizen_id: str) -> list[tuple[str, str]]:
    db = Database(database_url(stack))
    try:
        return Transcript(db).history(citizen_id)
    finally:
        db.dispose()


def resolve(stack: Stack, channel_identity: str) -> str:
    raw = redis.Redis.from_url(stack.redis_url).get(keys.identity(channel_identity))
    return raw.decode() if raw else channel_identity


def agent_says(stack: Stack, channel_identity: str, text: str) -> int:
    """An agent message, stored and announced the way the console does it (bot layer)."""
    citizen_id = resolve(stack, channel_identity)
    db = Database(database_url(stack))
    try:
        stored = Transcript(db).record_turn(
            citizen_id, "console", None, [OutgoingMessage(text=text, sender="agent")]
        )
    finally:
        db.dispose()
    client = redis.Redis.from_url(stack.redis_url)
    client.publish(keys.outbox_channel(citizen_id), str(stored[-1].id))
    client.close()
    return stored[-1].id
