"""The gateway's pooled HTTP client for its own outgoing calls: Rasa on every turn, health
probes, REST push callbacks (aiohttp: about a third of httpx's CPU per request, measured).

One aiohttp session per gateway process, made on first use inside the running event loop;
its connections are kept alive between calls (30 s idle, under Rasa's and uvicorn's own
keep-alive) and each call has a total time limit.
"""

from __future__ import annotations

import aiohttp


class HttpPool:
    def __init__(self, timeout_s: float, limit: int = 200, keepalive_s: float = 30.0) -> None:
        self.timeout = aiohttp.ClientTimeout(total=timeout_s, connect=min(3.0, timeout_s))
        self.limit = limit
        self.keepalive_s = keepalive_s
        self._session: aiohttp.ClientSession | None = None

    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=self.timeout,
                connector=aiohttp.TCPConnector(
                    limit=self.limit, keepalive_timeout=self.keepalive_s
                ),
            )
        return self._session

    async def ok(self, url: str, timeout_s: float = 2.0) -> bool:
        """A GET answered 200 within `timeout_s` (a health probe)."""
        try:
            timeout = aiohttp.ClientTimeout(total=timeout_s)
            async with self.session().get(url, timeout=timeout) as response:
                return response.status == 200
        except (TimeoutError, aiohttp.ClientError):
            return False

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
