"""The gateway app in-process (real Redis and SQL, injected clock; Rasa is not running, so a
citizen asking for a person gets a ticket from the gateway itself), and console clients."""

from __future__ import annotations

import random
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from bot.gateway import Gateway
from bot.settings import Settings
from bot.storage.db import Database
from civic.app import create_app
from tests.conftest import free_port
from tests.handoff.conftest import clock, handoff_redis, wipe  # noqa: F401
from tests.storage.conftest import FakeClock

API_KEY = "console-test-api-key-0123456789"
PASSWORD = "correct horse battery"


@dataclass
class Console:
    app: FastAPI
    client: httpx.AsyncClient
    clock: FakeClock

    @property
    def gateway(self) -> Gateway:
        gw: Gateway = self.app.state.gateway
        return gw

    def add_agent(self, role: str = "agent", team: str | None = None) -> str:
        username = f"{role}-{uuid.uuid4().hex[:8]}"
        assert self.gateway.agents is not None
        self.gateway.agents.add(username, PASSWORD, role, team)
        return username

    async def login(self, username: str, mode: str = "token") -> dict[str, str]:
        """Headers of a logged-in agent (bearer token)."""
        response = await self.client.post(
            "/api/v1/agent/login",
            json={"username": username, "password": PASSWORD, "session": mode},
        )
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['token']}"}

    async def citizen_says(self, conversation: str, text: str, **extra: Any) -> dict[str, Any]:
        response = await self.client.post(
            f"/api/v1/conversations/{conversation}/messages",
            json={"text": text, **extra},
            headers={"Authorization": f"Bearer {API_KEY}"},
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def citizen_reads(self, conversation: str, after: int = 0) -> dict[str, Any]:
        response = await self.client.get(
            f"/api/v1/conversations/{conversation}/messages",
            params={"after": after},
            headers={"Authorization": f"Bearer {API_KEY}"},
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


@pytest.fixture
async def console(
    redis_url: str,
    database_url: str,
    clock: FakeClock,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Any,
) -> AsyncIterator[Console]:
    monkeypatch.setenv("CIVIC_HANDOFF_ROUTES", "topic:passport*=documents")
    monkeypatch.setenv("CIVIC_LOGIN_MAX_FAILURES", "3")
    monkeypatch.setenv("CIVIC_HANDOFF_SWEEP_S", "3600")
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    url = handoff_redis(redis_url)
    settings = Settings.from_env(
        {
            "REDIS_URL": url,
            "DATABASE_URL": database_url,
            "CIVIC_API_KEYS": API_KEY,
            "CIVIC_SERVICE_TOKEN": "console-test-service-token-0123",
            "CIVIC_VAR_DIR": str(tmp_path),
            "RASA_URL": f"http://127.0.0.1:{free_port()}",  # Rasa is not running
            "RASA_TIMEOUT_S": "2",
        }
    )
    schema = Database(settings.database_url)
    schema.migrate()  # gateways only wait for the schema (civic up and the Job migrate)
    schema.dispose()
    app = create_app(settings, clock)
    async with app.router.lifespan_context(app):
        await wipe(app.state.gateway.redis)
        # a client address of its own: the failed logins these tests make on purpose must not
        # count against 127.0.0.1, which the real-stack tests log in from (same Redis)
        address = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"
        transport = httpx.ASGITransport(app=app, client=(address, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield Console(app, client, clock)
        await wipe(app.state.gateway.redis)
