"""The gateway's ASGI application factory."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import uvicorn
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
from channels.hub import LOCAL_SCHEMES, Channels
from civic.settings import GatewaySettings
from console.web import mount_console

MAX_BODY_BYTES = 256 * 1024


class _NoSignals(uvicorn.Server):
    """A second server in the gateway's process: the gateway's own server handles signals."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class MetricsServer:
    """/metrics on CIVIC_METRICS_PORT, apart from the public port (in Kubernetes only the
    monitoring namespace may reach it); the gateway's port then has no /metrics."""

    def __init__(self, settings: Settings) -> None:
        from console.reports import metrics_router

        self.app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
        self.app.include_router(metrics_router)
        config = uvicorn.Config(
            self.app, host=settings.gateway_host, port=settings.metrics_port or 0,
            log_level="warning", access_log=False, lifespan="off",
        )  # fmt: skip
        self.server = _NoSignals(config)
        self.task: asyncio.Task[None] | None = None

    async def start(self, gateway: Gateway) -> None:
        self.app.state.gateway = gateway
        self.task = asyncio.create_task(self.server.serve())
        while not self.server.started and not self.task.done():  # noqa: ASYNC110 (uvicorn has a flag, no event)
            await asyncio.sleep(0.05)
        if self.task.done():  # the port is taken: say so at start, not at the first scrape
            self.task.result()
            raise RuntimeError(f"the metrics server did not start on {self.server.config.port}")

    async def stop(self) -> None:
        self.server.should_exit = True
        if self.task is not None:
            await self.task


def create_app(
    settings: GatewaySettings | Settings | None = None, clock: Clock | None = None
) -> FastAPI:
    """Build the app on the process's settings, read and checked here, before anything runs
    (given only the core settings, the rest comes from the environment)."""
    config = (
        settings
        if isinstance(settings, GatewaySettings)
        else GatewaySettings.from_env(core=settings)
    )
    settings = config.core
    channels = Channels(config.channels)
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    masking.install()  # ID and phone numbers never reach the logs unmasked

    metrics = MetricsServer(settings) if settings.metrics_port else None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        gateway = Gateway.create(settings, config.handoff, clock, LOCAL_SCHEMES, config.cases)
        await gateway.start()
        app.state.gateway = gateway
        await channels.start(gateway)  # Telegram (when configured), web, push delivery
        if metrics is not None:
            await metrics.start(gateway)
        try:
            yield
        finally:
            if metrics is not None:
                await metrics.stop()
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

    app.add_middleware(BodyLimit, max_bytes=MAX_BODY_BYTES)

    @app.get("/healthz", tags=["operations"], summary="Each dependency's state")
    async def healthz(request: Request) -> JSONResponse:
        gateway: Gateway = request.app.state.gateway
        checks = await gateway.health()
        status = "ok" if all(v == "ok" for v in checks.values()) else "degraded"
        return JSONResponse({"status": status, "checks": checks})

    app.include_router(rest.router)
    app.include_router(cases.router)  # service-to-service: forms submitted by actions
    # agent console: JSON API, reports, web UI at /console; /metrics here or on its own port
    mount_console(app, metrics=metrics is None)
    channels.mount(app)
    return app
