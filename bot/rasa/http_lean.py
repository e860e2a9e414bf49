"""A lean HTTP/1.1 keep-alive client for one origin: the gateway's call to Rasa on every turn.

Every citizen turn POSTs to Rasa's REST webhook. aiohttp's client spent about 0.64 ms per
request on this machine (measured against a local server answering at once, requests a few
tenths of a second apart, as turns are); the same request written on a plain asyncio protocol
and parsed with httptools (the parser uvicorn uses) took 0.24 ms. That difference is paid on
every turn on top of Rasa's own time, so this call goes this way; everything else (health
probes, HTTPS origins) keeps aiohttp.

- Connections are kept alive and reused last-in-first-out; one request at a time on each (no
  pipelining). An idle connection is dropped after `keepalive_s` (Rasa keeps them 120 s, so a
  reused connection is never one the server is about to close) or as soon as the server
  closes it. A response with `Connection: close` (or HTTP/1.0) is not reused.
- Bodies with Content-Length or chunked; a response the parser rejects, a connection lost
  before the end of the response, or a refused connection raise `LeanHttpError` (an OSError),
  the whole request's time limit TimeoutError. Nothing is retried: a POST may have been
  processed. A connection whose request failed or was cancelled is closed, never reused.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import httptools


class LeanHttpError(OSError):
    """The origin could not be reached, or broke off / garbled its answer."""


class _Connection(asyncio.Protocol):
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.transport: asyncio.Transport | None = None
        self.alive = False
        self.keep_alive = False
        self.idle_since = 0.0
        self.parser = httptools.HttpResponseParser(self)
        self.body: list[bytes] = []
        self.future: asyncio.Future[tuple[int, bytes]] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.alive = True

    def request(self, data: bytes) -> asyncio.Future[tuple[int, bytes]]:
        assert self.transport is not None
        self.parser = httptools.HttpResponseParser(self)
        self.body = []
        self.keep_alive = False
        self.future = self.loop.create_future()
        self.transport.write(data)
        return self.future

    def data_received(self, data: bytes) -> None:
        if self.future is None:  # nothing was asked: the connection is out of step
            self.abort()
            return
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(LeanHttpError(f"unreadable HTTP response: {exc}"))
            self.abort()

    # httptools callbacks
    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        self.keep_alive = self.parser.should_keep_alive()
        future, self.future = self.future, None
        if future is not None and not future.done():
            future.set_result((self.parser.get_status_code(), b"".join(self.body)))

    def _fail(self, exc: Exception) -> None:
        future, self.future = self.future, None
        if future is not None and not future.done():
            future.set_exception(exc)

    def connection_lost(self, exc: Exception | None) -> None:
        self.alive = False
        self._fail(LeanHttpError("the connection was closed before the response ended"))

    def abort(self) -> None:
        self.alive = False
        if self.transport is not None:
            self.transport.abort()


class LeanHttp:
    """Requests to one http:// origin (`base_url` may carry a path prefix)."""

    def __init__(self, base_url: str, keepalive_s: float = 30.0, limit: int = 200) -> None:
        parts = urlsplit(base_url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"LeanHttp speaks plain http:// only, not {base_url!r}")
        self.host = parts.hostname
        self.port = parts.port or 80
        self.prefix = parts.path.rstrip("/")
        authority = parts.netloc.rpartition("@")[2]  # no credentials in the Host header
        self._head = f"HTTP/1.1\r\nHost: {authority}\r\n".encode()
        self.keepalive_s = keepalive_s
        self._slots = asyncio.Semaphore(limit)  # at most `limit` requests in flight
        self._idle: list[_Connection] = []

    async def request(
        self, method: str, path: str, body: bytes | None, timeout_s: float
    ) -> tuple[int, bytes]:
        """(status, body) of one request; `body` is sent as application/json."""
        head = b"%s %s%s %s" % (method.encode(), self.prefix.encode(), path.encode(), self._head)
        if body is not None:
            head += b"Content-Type: application/json\r\nContent-Length: %d\r\n" % len(body)
        data = head + b"\r\n" + (body or b"")
        async with asyncio.timeout(timeout_s), self._slots:
            connection = self._reusable() or await self._open()
            try:
                status, raw = await connection.request(data)
            except BaseException:
                connection.abort()  # a late or partial answer must not reach the next caller
                raise
        if connection.keep_alive and connection.alive:
            connection.idle_since = connection.loop.time()
            self._idle.append(connection)
            while not self._idle[0].alive:  # closed by the server while idle at the bottom
                self._idle.pop(0)
        else:
            connection.abort()
        return status, raw

    def _reusable(self) -> _Connection | None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        while self._idle:
            connection = self._idle.pop()
            if connection.loop is not loop:  # another (a finished test's) event loop's
                self._idle.clear()
                return None
            if connection.alive and now - connection.idle_since < self.keepalive_s:
                return connection
            connection.abort()
        return None

    async def _open(self) -> _Connection:
        loop = asyncio.get_running_loop()
        try:
            _, connection = await loop.create_connection(
                lambda: _Connection(loop), self.host, self.port
            )
        except OSError as exc:
            raise LeanHttpError(f"cannot connect to {self.host}:{self.port}: {exc}") from exc
        return connection

    def close(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            if connection.transport is not None:
                connection.transport.close()
