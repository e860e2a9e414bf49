"""The gateway's ASGI application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from api import cases
from api.body_limit import BodyLimit
from api.errors import install_error_handlers
from bot import masking
from bot.clock import Clock
from bot.gateway import Gateway
from bot.settings import Settings
from channels import rest
from channels.hub import Channels
from channels.rest_fast import RestFastPath
from channels.settings import ChannelSettings
from console.web import mount_console

MAX_BODY_BYTES = 256 * 1024


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    """Build the app; settings are read from the environment when not given."""
    settings = settings or Settings.from_env()
    channels = Channels(ChannelSettings.from_env(settings))
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    masking.install()  # ID and phone numbers never reach the logs unmasked

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        gateway = Gateway.create(settings, clock)
        await gateway.start()
        app.state.gateway = gateway
        await channels.start(gateway)  # Telegram (when configured), web, push delivery
        try:
            yield
        finally:
            await channels.stop()
            await gateway.close()

    app = FastAPI(
        title="Civic Assistant gateway",
        version="0.1.0",
        description="REST channel API of the citizen assistant. Authenticate with "
        "`Authorization: Bearer <API key>` (keys from CIVIC_API_KEYS).",
        lifespan=lifespan,
    )
    install_error_handlers(app)

    app.add_middleware(RestFastPath)  # the citizen-message route without the framework's cost
    app.add_middleware(BodyLimit, max_bytes=MAX_BODY_BYTES)  # added last: outside the fast path

    @app.get("/healthz", tags=["operations"], summary="Each dependency's state")
    async def healthz(request: Request) -> JSONResponse:
        gateway: Gateway = request.app.state.gateway
        checks = await gateway.health()
        status = "ok" if all(v == "ok" for v in checks.values()) else "degraded"
        return JSONResponse({"status": status, "checks": checks})

    app.include_router(rest.router)
    app.include_router(cases.router)  # service-to-service: forms submitted by actions
    mount_console(app)  # agent console: JSON API, reports, /metrics, web UI at /console
    channels.mount(app)
    return app
