"""The action server's knowledge-base routes, for `civic kb reload` (service token only):

- ``GET /kb``: the fingerprint of the index served now, the one last requested, whether a
  rebuild runs, the last failure, the guides per language, and the folder watch's state
  (``watch``: its interval and the last malformed guide it refused; null when off);
- ``POST /kb/reload``: check the guides folder (422 naming the malformed guide, nothing
  changes) and rebuild from it in the background (202 with the fingerprint to wait for).

Added to rasa-sdk's Sanic app through its plugin hook (``attach_sanic_app_extensions``)."""

from __future__ import annotations

import asyncio
import hmac
from typing import Any

import pluggy
from sanic import Request, Sanic
from sanic.response import HTTPResponse, json

from knowledge_base import GuideError
from knowledge_base.live import LiveKnowledgeBase
from knowledge_base.watch import GuideWatch

hookimpl = pluggy.HookimplMarker("rasa_sdk")
MIN_TOKEN = 16


class KnowledgeRoutes:
    """The plugin: register it with rasa_sdk's plugin manager before the server runs."""

    def __init__(
        self, live: LiveKnowledgeBase, service_token: str, watch: GuideWatch | None = None
    ) -> None:
        self.live = live
        self.token = service_token
        self.watch = watch

    def _status(self) -> dict[str, Any]:
        return {**self.live.status(), "watch": self.watch.status() if self.watch else None}

    @hookimpl
    def attach_sanic_app_extensions(self, app: Sanic) -> None:
        app.add_route(self.status, "/kb", methods=["GET"], name="civic_kb_status")
        app.add_route(self.reload, "/kb/reload", methods=["POST"], name="civic_kb_reload")

    def _refused(self, request: Request) -> HTTPResponse | None:
        """A response refusing the caller, or None when it holds the service token."""
        if len(self.token) < MIN_TOKEN:
            return json({"error": "CIVIC_SERVICE_TOKEN is not set: reloading is disabled"}, 503)
        scheme, _, given = (request.headers.get("authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            given.strip().encode(), self.token.encode()
        ):
            return json(
                {"error": "a valid service token is required"},
                401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        return None

    async def status(self, request: Request) -> HTTPResponse:
        refused = self._refused(request)
        if refused is not None:
            return refused
        return json(self._status())

    async def reload(self, request: Request) -> HTTPResponse:
        refused = self._refused(request)
        if refused is not None:
            return refused
        try:  # parses every guide: off the event loop, so answers go on meanwhile
            target = await asyncio.to_thread(self.live.request_reload)
        except GuideError as exc:
            body: dict[str, Any] = {**self._status(), "error": str(exc)}
            return json(body, 422)
        return json({**self._status(), "target": target}, 202)
