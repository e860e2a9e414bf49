"""Channel tests run on the real stack (tests/integration/conftest.py) with a fake Bot API."""

from __future__ import annotations

import os
import random
import subprocess
import sys

import httpx
import redis

from bot.storage import keys
from bot.storage.db import Database
from bot.storage.transcript import Transcript
from civic.stack import Stack
from tests.browser import AXE

# the session-scoped `stack` and `fake_telegram` fixtures come from tests/conftest.py (one
# stack per session, shared with tests/integration and tests/console)
from tests.conftest import API_KEY, Citizen

__all__ = ["API_KEY", "AXE", "Citizen", "agent_says", "new_chat_id"]


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


_AGENT_PASSWORD = "channel tests agent password"


def _agent_headers(stack: Stack) -> dict[str, str]:
    """A supervisor account in the stack's database, logged in through the console API."""
    username = f"channels-{stack.config.gateway_port}"
    env = {**os.environ, **stack.env()}
    subprocess.run(
        [sys.executable, "-m", "civic.cli", "agent", "add", username, "--role", "supervisor"],
        input=_AGENT_PASSWORD + "\n",
        text=True,
        env=env,
        capture_output=True,
        check=False,
    )  # fmt: skip (exists already on the second call: then it fails harmlessly)
    login = httpx.post(
        stack.gateway_url + "/api/v1/agent/login",
        json={"username": username, "password": _AGENT_PASSWORD, "session": "token"},
    )
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['token']}"}


def agent_closes(stack: Stack, channel_identity: str) -> None:
    """The agent holding the citizen's ticket closes it in the console API."""
    citizen_id = resolve(stack, channel_identity)
    headers = _agent_headers(stack)
    base = stack.gateway_url + "/api/v1/agent"
    held = httpx.get(base + "/queue", headers=headers).json()["held"]
    [ticket] = [t for t in held if t["conversation_id"] == citizen_id]
    closed = httpx.post(
        f"{base}/tickets/{ticket['id']}/close", json={"note": "done"}, headers=headers
    )
    assert closed.status_code == 200, closed.text


def agent_says(stack: Stack, channel_identity: str, text: str) -> int:
    """An agent claims the citizen's ticket in the console API (if not yet) and writes."""
    citizen_id = resolve(stack, channel_identity)
    headers = _agent_headers(stack)
    base = stack.gateway_url + "/api/v1/agent"
    queue = httpx.get(base + "/queue", headers=headers).json()
    mine = [t for t in queue["held"] if t["conversation_id"] == citizen_id]
    if not mine:
        [waiting] = [t for t in queue["waiting"] if t["conversation_id"] == citizen_id]
        claimed = httpx.post(f"{base}/tickets/{waiting['id']}/claim", headers=headers)
        assert claimed.status_code == 200, claimed.text
        ticket_id = waiting["id"]
    else:
        ticket_id = mine[0]["id"]
    sent = httpx.post(f"{base}/tickets/{ticket_id}/messages", json={"text": text}, headers=headers)
    assert sent.status_code == 201, sent.text
    message_id: int = sent.json()["id"]
    return message_id
