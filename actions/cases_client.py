"""The gateway's cases API as the action server uses it (service-to-service token), through
one pooled aiohttp session per action server process (made on first use, in its loop)."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from actions.settings import current
from common.errors import NotFound, Unavailable


class CasesUnavailable(Unavailable):
    """The cases API could not be reached or answered with an error."""


class CaseNotFound(NotFound):
    """No such case for this citizen."""


@dataclass(frozen=True)
class CasesClient:
    base_url: str
    token: str
    timeout_s: float = 10.0
    _pool: list[aiohttp.ClientSession] = field(default_factory=list, compare=False, repr=False)

    def _session(self) -> aiohttp.ClientSession:
        if not self._pool or self._pool[0].closed:
            self._pool[:] = [
                aiohttp.ClientSession(
                    self.base_url,
                    timeout=aiohttp.ClientTimeout(total=self.timeout_s),
                    headers={"Authorization": f"Bearer {self.token}"},
                    connector=aiohttp.TCPConnector(keepalive_timeout=30.0),
                )
            ]
        return self._pool[0]

    async def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        """The JSON the cases API answered; CaseNotFound for a 404, CasesUnavailable for the
        rest of what can go wrong."""
        try:
            async with self._session().request(method, path, **kwargs) as response:
                status = response.status
                body = await response.read()
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise CasesUnavailable(f"cases API unreachable: {type(exc).__name__}") from exc
        if status == 404:
            raise CaseNotFound(path)
        if status >= 300:
            raise CasesUnavailable(f"cases API answered HTTP {status}")
        try:
            return json.loads(body)
        except ValueError as exc:
            raise CasesUnavailable("cases API answered with invalid JSON") from exc

    async def close(self) -> None:
        if self._pool:
            await self._pool.pop().close()

    async def submit(
        self,
        citizen_id: str,
        form: str,
        answers: dict[str, Any],
        channel: str,
        lang: str,
        submission_key: str,
    ) -> dict[str, Any]:
        body = {
            "citizen_id": citizen_id,
            "form": form,
            "answers": answers,
            "channel": channel,
            "lang": lang,
            "submission_key": submission_key,
        }
        data: dict[str, Any] = await self._request("POST", "/api/v1/cases", json=body)
        return data

    async def get(self, citizen_id: str, reference: str) -> dict[str, Any]:
        data: dict[str, Any] = await self._request(
            "GET", f"/api/v1/cases/{reference}", params={"citizen_id": citizen_id}
        )
        return data

    async def list(self, citizen_id: str) -> list[dict[str, Any]]:
        body = await self._request("GET", "/api/v1/cases", params={"citizen_id": citizen_id})
        cases: list[dict[str, Any]] = body.get("cases", [])
        return cases


@functools.cache
def cases_client() -> CasesClient:
    """The action server's one client (its pool is kept across submissions), on the gateway
    URL and service token of its settings; CasesUnavailable while no token is set."""
    settings = current()
    if len(settings.service_token) < 16:
        raise CasesUnavailable("CIVIC_SERVICE_TOKEN must be set (at least 16 characters)")
    return CasesClient(settings.gateway_url, settings.service_token)
