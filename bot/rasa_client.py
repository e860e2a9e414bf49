"""Talks to Rasa's REST channel: one shared HTTP client, explicit timeouts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from bot.errors import RasaUnavailable


@dataclass(frozen=True)
class RasaResponse:
    text: str
    buttons: tuple[tuple[str, str], ...]
    custom: Mapping[str, Any] | None


class RasaClient:
    """POSTs citizen messages to `/webhooks/rest/webhook` and parses the bot's replies."""

    def __init__(self, base_url: str, timeout_s: float) -> None:
        self.base_url = base_url.rstrip("/")
        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout_s, connect=min(3.0, timeout_s)),
            limits=httpx.Limits(max_connections=200, max_keepalive_connections=50),
        )

    async def send(
        self, sender_id: str, message: str, metadata: Mapping[str, Any]
    ) -> list[RasaResponse]:
        body = {"sender": sender_id, "message": message, "metadata": dict(metadata)}
        try:
            response = await self._client.post("/webhooks/rest/webhook", json=body)
        except httpx.HTTPError as exc:
            raise RasaUnavailable(f"Rasa unreachable: {type(exc).__name__}") from exc
        if response.status_code != 200:
            raise RasaUnavailable(f"Rasa answered HTTP {response.status_code}")
        try:
            items = response.json()
        except ValueError as exc:
            raise RasaUnavailable("Rasa answered with invalid JSON") from exc
        if not isinstance(items, list):
            raise RasaUnavailable("Rasa answered with an unexpected body")
        return [self._parse(item) for item in items if isinstance(item, dict)]

    @staticmethod
    def _parse(item: Mapping[str, Any]) -> RasaResponse:
        buttons = tuple(
            (str(b.get("title", "")), str(b.get("payload", "")))
            for b in item.get("buttons") or []
            if isinstance(b, dict)
        )
        custom = item.get("custom")
        return RasaResponse(
            text=str(item.get("text") or ""),
            buttons=buttons,
            custom=custom if isinstance(custom, dict) else None,
        )

    async def healthy(self) -> bool:
        try:
            response = await self._client.get("/", timeout=2.0)
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    async def close(self) -> None:
        await self._client.aclose()
