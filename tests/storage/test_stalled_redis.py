"""A Redis that accepts connections and never answers (a stalled server, another party faked
here) fails a citizen's turn with the JSON 503 after the socket timeout, instead of hanging
every turn; the gateway is the real app."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.settings import Settings
from civic.app import create_app
from tests.conftest import free_port, migrate

API_KEY = "stalled-redis-api-key-0123456789"


@pytest.fixture
async def stalled_redis() -> AsyncIterator[str]:
    held: list[asyncio.StreamWriter] = []

    async def accept_and_say_nothing(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(accept_and_say_nothing, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield f"redis://127.0.0.1:{port}/0"
    for writer in held:
        writer.close()
    server.close()
    await server.wait_closed()


async def test_a_stalled_redis_fails_the_turn_with_503(tmp_path: Path, stalled_redis: str) -> None:
    settings = Settings.from_env(
        {
            "REDIS_URL": stalled_redis,
            "CIVIC_REDIS_TIMEOUT_S": "0.5",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'civic.db'}",
            "CIVIC_API_KEYS": API_KEY,
            "CIVIC_SERVICE_TOKEN": "stalled-redis-service-token-0123",
            "CIVIC_VAR_DIR": str(tmp_path),
            "RASA_URL": f"http://127.0.0.1:{free_port()}",
        }
    )
    migrate(settings.database_url)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            for _ in range(2):  # and the next turn too: nothing is left waiting
                response = await client.post(
                    "/api/v1/conversations/stalled/messages",
                    json={"text": "hello"},
                    headers={"Authorization": f"Bearer {API_KEY}"},
                )
                assert response.status_code == 503
                assert response.json()["error"]["message"] == "a store is unavailable, please retry"
                assert response.headers["Retry-After"] == "5"
