"""CIVIC_METRICS_PORT: Prometheus metrics on a port of their own (the manifests let only the
monitoring namespace reach it), and no /metrics on the gateway's public port."""

from __future__ import annotations

from pathlib import Path

import httpx

from bot.settings import Settings
from bot.storage.db import Database
from civic.app import create_app
from tests.conftest import free_port
from tests.handoff.conftest import handoff_redis


async def test_metrics_on_their_own_port_only(
    redis_url: str, database_url: str, tmp_path: Path
) -> None:
    metrics_port = free_port()
    settings = Settings.from_env(
        {
            "REDIS_URL": handoff_redis(redis_url),
            "DATABASE_URL": database_url,
            "CIVIC_API_KEYS": "metrics-test-api-key-0123456789",
            "CIVIC_SERVICE_TOKEN": "metrics-test-service-token-0123",
            "CIVIC_VAR_DIR": str(tmp_path),
            "RASA_URL": f"http://127.0.0.1:{free_port()}",
            "CIVIC_METRICS_PORT": str(metrics_port),
        }
    )
    schema = Database(settings.database_url)
    schema.migrate()
    schema.dispose()
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as public:
            assert (await public.get("/metrics")).status_code == 404
            assert (await public.get("/healthz")).status_code == 200
        async with httpx.AsyncClient(timeout=30) as client:
            scraped = await client.get(f"http://127.0.0.1:{metrics_port}/metrics")
            assert scraped.status_code == 200
            assert "civic_handoff_queue" in scraped.text or "civic_handoff" in scraped.text
            assert (await client.get(f"http://127.0.0.1:{metrics_port}/healthz")).status_code == 404
    async with httpx.AsyncClient(timeout=5) as client:  # stopped with the gateway
        try:
            await client.get(f"http://127.0.0.1:{metrics_port}/metrics")
            raise AssertionError("the metrics server outlived the gateway")
        except httpx.ConnectError:
            pass
