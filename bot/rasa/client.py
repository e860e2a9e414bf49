"""Talks to Rasa's REST channel, on every citizen turn: pooled keep-alive connections
(bot/rasa/http.py), an explicit time limit, every failure reported as RasaUnavailable."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.errors import RasaUnavailable
from bot.rasa.http import HttpPool

# milliseconds this task spent waiting for Rasa (the REST channel reports it as Server-Timing)
rasa_ms: ContextVar[float] = ContextVar("rasa_ms", default=0.0)


@dataclass(frozen=True)
class RasaResponse:
    text: str
    buttons: tuple[tuple[str, str], ...]
    custom: Mapping[str, Any] | None


class RasaClient:
    """POSTs citizen messages to `/webhooks/rest/webhook` and parses the bot's replies."""

    def __init__(self, base_url: str, timeout_s: float, http: HttpPool | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.http = http or HttpPool(timeout_s)
        self._timeout = aiohttp.ClientTimeout(total=timeout_s, connect=min(3.0, timeout_s))
        self._webhook = f"{self.base_url}/webhooks/rest/webhook"

    async def send(
        self, sender_id: str, message: str, metadata: Mapping[str, Any]
    ) -> list[RasaResponse]:
        body = json.dumps({"sender": sender_id, "message": message, "metadata": dict(metadata)})
        started = time.perf_counter()
        try:
            async with self.http.session().post(
                self._webhook,
                data=body,
                headers={"Content-Type": "application/json"},
                timeout=self._timeout,
            ) as response:
                status = response.status
                raw = await response.read()
        except (TimeoutError, OSError, aiohttp.ClientError) as exc:
            raise RasaUnavailable(f"Rasa unreachable: {type(exc).__name__}") from exc
        finally:
            rasa_ms.set(rasa_ms.get() + (time.perf_counter() - started) * 1000)
        if status != 200:
            raise RasaUnavailable(f"Rasa answered HTTP {status}")
        try:
            items = json.loads(raw)
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
        return await self.http.ok(f"{self.base_url}/")

    async def close(self) -> None:
        """Closes the pool too (the gateway's, shared with its other calls: closed last)."""
        await self.http.close()
