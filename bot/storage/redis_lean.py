"""The router's two Redis round trips per turn, on one lean multiplexed connection.

Every citizen turn sends two pipelines to Redis (bot/conversation/router.py: the turn's first reads
with the lock, and its bookkeeping with the release). Through redis-py's asyncio pipeline each cost
about 0.7 ms on this machine, measured between requests a few seconds apart the way citizens write;
the same commands written on a plain asyncio protocol and read back with hiredis cost 0.3 ms (most
of redis-py's time is its per-reply async machinery, not Redis). Two of them are about a quarter of
all the time the gateway adds to Rasa's own, so these two go this way.

- Commands are queued with redis-py's own command methods (`Commands` is redis-py's
  `CoreCommands` with a recording `execute_command`), so they reach Redis exactly as redis-py
  would send them, and the helpers that fill a pipeline (`save_in`, `release_in`, ...) work on
  both kinds.
- One connection per event loop carries every turn's pipeline; Redis answers in order, so each
  batch takes the next replies. Replies are raw RESP values (SET gives b"OK" or None, EXPIRE
  1 or 0); an error reply raises redis-py's ResponseError after the whole batch ran, as
  redis-py's pipeline does.
- A lost connection fails the batches in flight with redis-py's ConnectionError and the next
  batch connects again (nothing is retried: a batch may have run). A batch unanswered after
  the client's socket timeout fails with redis-py's TimeoutError and drops the connection.
- AUTH and SELECT from the URL; TCP or a Unix socket. Other setups (TLS, a credential
  provider) go through redis-py's pipeline instead, with the same commands.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any, Literal

import hiredis
from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.asyncio.connection import Connection, UnixDomainSocketConnection
from redis.commands.core import CoreCommands
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import DataError, InvalidResponse, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError


class Commands(CoreCommands):  # type: ignore[type-arg]
    """A batch of commands: redis-py's command methods, recorded instead of sent."""

    _is_async_client: Literal[False] = False  # for redis-py's typing: commands return values
    _event_dispatcher: Any = None  # (redis-py's client protocol; nothing is dispatched here)

    def __init__(self) -> None:
        self.commands: list[tuple[Any, ...]] = []

    def execute_command(self, *args: Any, **options: Any) -> Any:
        self.commands.append(args)  # options (keys=, ...) only matter to redis-py's routing
        return self


# what the router's helpers fill: a redis-py pipeline or a lean batch
CommandQueue = Pipeline | Commands


def _encode(value: Any) -> bytes:
    """An argument as redis-py's encoder sends it."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode()
    if isinstance(value, bool):
        raise DataError("a bool is not a Redis argument: convert it to bytes, str or a number")
    if isinstance(value, int | float):
        return repr(value).encode()
    if isinstance(value, memoryview):
        return value.tobytes()
    raise DataError(f"{type(value).__name__} is not a Redis argument")


def pack(commands: list[tuple[Any, ...]]) -> bytes:
    """RESP arrays of bulk strings, one per command."""
    out: list[bytes] = []
    for command in commands:
        out.append(b"*%d\r\n" % len(command))
        for arg in command:
            data = _encode(arg)
            out.append(b"$%d\r\n" % len(data))
            out.append(data)
            out.append(b"\r\n")
    return b"".join(out)


class _Batch:
    __slots__ = ("count", "future", "replies", "timer")

    def __init__(self, future: asyncio.Future[list[Any]], count: int) -> None:
        self.future = future
        self.count = count
        self.replies: list[Any] = []
        self.timer: asyncio.TimerHandle | None = None


class _Protocol(asyncio.Protocol):
    def __init__(self, loop: asyncio.AbstractEventLoop, timeout_s: float | None) -> None:
        self.loop = loop
        self.timeout_s = timeout_s
        self.reader = hiredis.Reader(protocolError=InvalidResponse, replyError=ResponseError)
        self.waiting: deque[_Batch] = deque()
        self.transport: asyncio.Transport | None = None
        self.alive = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.alive = True

    def send(self, data: bytes, count: int) -> asyncio.Future[list[Any]]:
        batch = _Batch(self.loop.create_future(), count)
        if self.timeout_s:
            batch.timer = self.loop.call_later(self.timeout_s, self._timed_out, batch)
        self.waiting.append(batch)
        assert self.transport is not None
        self.transport.write(data)
        return batch.future

    def data_received(self, data: bytes) -> None:
        try:
            self.reader.feed(data)
            while self.waiting:
                reply = self.reader.gets()
                if reply is False:  # no whole reply yet
                    return
                batch = self.waiting[0]
                batch.replies.append(reply)
                if len(batch.replies) == batch.count:
                    self.waiting.popleft()
                    if batch.timer is not None:
                        batch.timer.cancel()
                    if not batch.future.done():  # its caller may have been cancelled
                        batch.future.set_result(batch.replies)
        except InvalidResponse as exc:
            self.fail(RedisConnectionError(f"Redis sent something that is not RESP: {exc}"))

    def _timed_out(self, batch: _Batch) -> None:
        if not batch.future.done():
            batch.future.set_exception(RedisTimeoutError("Timeout reading from Redis"))
        self.fail(RedisConnectionError("the connection was dropped after a timeout"))

    def fail(self, exc: Exception) -> None:
        self.alive = False
        while self.waiting:
            batch = self.waiting.popleft()
            if batch.timer is not None:
                batch.timer.cancel()
            if not batch.future.done():
                batch.future.set_exception(exc)
        if self.transport is not None:
            self.transport.abort()

    def connection_lost(self, exc: Exception | None) -> None:
        self.fail(RedisConnectionError("Connection to Redis lost"))


class LeanRedis:
    """Sends `Commands` batches for one redis-py client's server (same URL, same database)."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        pool = redis.connection_pool
        # the client's resolved settings (a connection object, not connected)
        template = pool.make_connection()  # type: ignore[no-untyped-call]
        self._unix: str | None = None
        self._tcp: tuple[str, int] | None = None
        if pool.connection_class is UnixDomainSocketConnection:
            self._unix = template.path  # type: ignore[attr-defined]
        elif pool.connection_class is Connection:
            self._tcp = (template.host, template.port)  # type: ignore[attr-defined]
        # TLS, a credential provider, ...: redis-py's own pipeline does it
        self.lean = (self._unix or self._tcp) is not None and template.credential_provider is None
        self.db = int(template.db or 0)
        self.username = template.username
        self.password = template.password
        self.timeout_s = template.socket_timeout
        self.connect_timeout_s = template.socket_connect_timeout or 5.0
        self._protocol: _Protocol | None = None
        self._connecting: asyncio.Task[_Protocol] | None = None

    @staticmethod
    def pipeline() -> Commands:
        return Commands()

    async def execute(self, batch: Commands) -> list[Any]:
        """The batch's replies, in order. Raises the first error reply (after the whole batch
        ran), or redis-py's ConnectionError / TimeoutError."""
        if not batch.commands:
            return []
        if not self.lean:
            async with self.redis.pipeline(transaction=False) as pipe:
                for command in batch.commands:
                    pipe.execute_command(*command)
                return await pipe.execute()  # type: ignore[no-any-return]
        protocol = self._protocol
        if (
            protocol is None
            or not protocol.alive
            or protocol.loop is not asyncio.get_running_loop()
        ):
            protocol = await self._connect()
        replies = await protocol.send(pack(batch.commands), len(batch.commands))
        for reply in replies:
            if isinstance(reply, ResponseError):
                raise reply
        return replies

    async def _connect(self) -> _Protocol:
        """One connection attempt shared by every batch that needs it."""
        loop = asyncio.get_running_loop()
        task = self._connecting
        if task is None or task.get_loop() is not loop:
            task = self._connecting = loop.create_task(self._open(loop))
        try:
            return await asyncio.shield(task)
        finally:
            if task.done() and self._connecting is task:
                self._connecting = None

    async def _open(self, loop: asyncio.AbstractEventLoop) -> _Protocol:
        def factory() -> _Protocol:
            return _Protocol(loop, self.timeout_s)

        protocol: _Protocol | None = None
        try:
            async with asyncio.timeout(self.connect_timeout_s):
                if self._unix is not None:
                    _, protocol = await loop.create_unix_connection(factory, self._unix)
                else:
                    assert self._tcp is not None
                    _, protocol = await loop.create_connection(factory, *self._tcp)
                await self._handshake(protocol)
        except BaseException as exc:
            if protocol is not None:  # connected, but the handshake failed or timed out
                protocol.fail(RedisConnectionError("handshake failed"))
            if isinstance(exc, TimeoutError):
                raise RedisConnectionError("Timeout connecting to Redis") from exc
            if isinstance(exc, OSError):
                raise RedisConnectionError(f"Error connecting to Redis: {exc}") from exc
            raise
        self._protocol = protocol  # (one on another event loop, a closed test's, is dropped)
        return protocol

    async def _handshake(self, protocol: _Protocol) -> None:
        """AUTH and SELECT from the URL, when it has them."""
        handshake: list[tuple[Any, ...]] = []
        if self.password is not None:
            auth = (self.username, self.password) if self.username else (self.password,)
            handshake.append(("AUTH", *auth))
        if self.db:
            handshake.append(("SELECT", self.db))
        if handshake:
            replies = await protocol.send(pack(handshake), len(handshake))
            refused = [r for r in replies if isinstance(r, ResponseError)]
            if refused:
                raise RedisConnectionError(f"Redis refused the handshake: {refused[0]}")

    async def aclose(self) -> None:
        protocol, self._protocol = self._protocol, None
        if protocol is not None and protocol.transport is not None:
            if protocol.loop is asyncio.get_running_loop():
                protocol.transport.close()
