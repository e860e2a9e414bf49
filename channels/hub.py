"""All channels together: their routes, their delivery sinks, their start and stop."""

from __future__ import annotations

import hmac
import logging
from typing import Annotated, Any
from urllib.parse import urlparse

from fastapi import APIRouter, FastAPI, Header, HTTPException, Request
from fastapi.staticfiles import StaticFiles

from bot.gateway import Gateway
from channels import rest_push
from channels.rest_push import RestPushSink
from channels.settings import ChannelSettings
from channels.telegram import TelegramChannel
from channels.web import STATIC, WebChannel

log = logging.getLogger(__name__)

# channels whose identities may have several live connections (a citizen's browser tabs): the
# router announces a turn's replies for these even to a one-channel citizen
LOCAL_SCHEMES = frozenset({"web"})


class Channels:
    def __init__(self, settings: ChannelSettings) -> None:
        self.settings = settings
        self.web = WebChannel()
        self.telegram: TelegramChannel | None = None
        self.rest_push: RestPushSink | None = None

    def mount(self, app: FastAPI) -> None:
        app.state.channel_settings = self.settings
        app.include_router(rest_push.router)
        app.include_router(self.web.router())
        app.mount("/static/chat", StaticFiles(directory=STATIC), name="chat-static")
        if self.settings.telegram_webhook_url:
            app.include_router(self._webhook_router())

    def _webhook_router(self) -> APIRouter:
        path = str(urlparse(self.settings.telegram_webhook_url or "").path or "/telegram/webhook")
        expected = self.settings.telegram_webhook_secret or ""
        router = APIRouter()

        @router.post(path, include_in_schema=False)
        async def telegram_webhook(
            request: Request,
            x_telegram_bot_api_secret_token: Annotated[str | None, Header()] = None,
        ) -> dict[str, bool]:
            given = x_telegram_bot_api_secret_token or ""
            if not hmac.compare_digest(given.encode(), expected.encode()):
                raise HTTPException(403, "wrong or missing secret token")
            if self.telegram is None:
                raise HTTPException(503, "the Telegram channel is starting")
            data: Any = await request.json()
            if not isinstance(data, dict):
                raise HTTPException(422, "an update must be a JSON object")
            await self.telegram.feed(data)
            return {"ok": True}

        return router

    async def start(self, gateway: Gateway) -> None:
        delivery = gateway.delivery
        assert delivery is not None
        delivery.add_local("web", self.web)  # (its scheme is in LOCAL_SCHEMES)
        self.rest_push = RestPushSink(
            gateway, self.settings.callback_max_attempts, self.settings.callback_backoff_s
        )
        delivery.add_exclusive("rest", self.rest_push)
        if self.settings.telegram_enabled:
            self.telegram = TelegramChannel(gateway, self.settings)
            delivery.add_exclusive("telegram", self.telegram)
            await self.telegram.start()
        await delivery.start()

    async def stop(self) -> None:
        if self.telegram is not None:
            await self.telegram.stop()
        if self.rest_push is not None:
            await self.rest_push.close()
