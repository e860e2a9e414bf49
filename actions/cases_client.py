"""The gateway's cases API as the action server uses it (service-to-service token)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import httpx


class CasesUnavailable(Exception):
    """The cases API could not be reached or answered with an error."""


class CaseNotFound(Exception):
    """No such case for this citizen."""


@dataclass(frozen=True)
class CasesClient:
    base_url: str
    token: str
    timeout_s: float = 10.0

    @classmethod
    def from_env(cls) -> CasesClient:
        url = (os.environ.get("CIVIC_GATEWAY_URL") or "").strip().rstrip("/")
        if not url.startswith(("http://", "https://")):
            raise CasesUnavailable(f"CIVIC_GATEWAY_URL must be an http(s) URL, got {url!r}")
        token = (os.environ.get("CIVIC_SERVICE_TOKEN") or "").strip()
        if len(token) < 16:
            raise CasesUnavailable("CIVIC_SERVICE_TOKEN must be set (at least 16 characters)")
        return cls(url, token)

    async def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}"}
        try:
            async with httpx.AsyncClient(base_url=self.base_url, timeout=self.timeout_s) as client:
                response = await client.request(method, path, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            raise CasesUnavailable(f"cases API unreachable: {type(exc).__name__}") from exc
        if response.status_code == 404:
            raise CaseNotFound(path)
        if response.status_code >= 300:
            raise CasesUnavailable(f"cases API answered HTTP {response.status_code}")
        return response

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
        response = await self._request("POST", "/api/v1/cases", json=body)
        data: dict[str, Any] = response.json()
        return data

    async def get(self, citizen_id: str, reference: str) -> dict[str, Any]:
        response = await self._request(
            "GET", f"/api/v1/cases/{reference}", params={"citizen_id": citizen_id}
        )
        data: dict[str, Any] = response.json()
        return data

    async def list(self, citizen_id: str) -> list[dict[str, Any]]:
        response = await self._request("GET", "/api/v1/cases", params={"citizen_id": citizen_id})
        cases: list[dict[str, Any]] = response.json().get("cases", [])
        return cases
