"""Delivery of messages that are not a direct reply (agent replies, queue updates, reminders).

Whoever stores outgoing messages for a citizen publishes the newest message id on
`keys.outbox_channel(citizen_id)`. Each gateway replica runs one `Delivery` subscribed to every
outbox; on an announcement it fans the citizen's new transcript messages out to each linked
channel identity through the sink registered for its scheme (`telegram:…`, `rest:…`, `web:…`):

- exclusive sinks (Telegram, REST push callbacks) send each message to a channel identity
  exactly once across replicas: a message is claimed with SET NX on (message id, channel
  identity) before it is sent; the router claims the direct replies of a turn for the channel
  identity that sent it;
- local sinks (the WebSocket widget) push to the connections this replica holds; each
  connection keeps its own cursor, so pushes and direct replies never repeat a message.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.delivery.ledger import DeliveryLedger
from bot.errors import StoreUnavailable
from bot.messages import OutgoingMessage
from bot.storage import keys
from bot.storage.sessions import Session, SessionStore
from bot.storage.transcript import Transcript

log = logging.getLogger(__name__)


class ExclusiveSink(Protocol):
    """A channel that sends to a remote platform (each message once per channel identity)."""

    async def accepts(self, channel_identity: str) -> bool:
        """False when this identity has nowhere to push to (e.g. no callback registered)."""

    async def send(
        self, channel_identity: str, message: OutgoingMessage, session: Session
    ) -> None: ...


class LocalSink(Protocol):
    """A channel whose connections live in this replica (WebSocket)."""

    async def notify(self, channel_identity: str, citizen_id: str) -> None: ...


def scheme(channel_identity: str) -> str:
    return channel_identity.partition(":")[0]


class Delivery:
    def __init__(self, redis: Redis, sessions: SessionStore, transcript: Transcript) -> None:
        self.redis = redis
        self.sessions = sessions
        self.transcript = transcript
        self.ledger = DeliveryLedger(redis)
        self.exclusive: dict[str, ExclusiveSink] = {}
        self.local: dict[str, LocalSink] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._task: asyncio.Task[None] | None = None
        self._pending: set[asyncio.Task[None]] = set()

    def add_exclusive(self, name: str, sink: ExclusiveSink) -> None:
        self.exclusive[name] = sink

    def add_local(self, name: str, sink: LocalSink) -> None:
        self.local[name] = sink

    async def fan_out(self, citizen_id: str) -> None:
        """Deliver the citizen's undelivered messages to every linked channel identity."""
        identities = await self.ledger.identities(citizen_id)
        for identity in identities:
            name = scheme(identity)
            if name in self.local:
                await self.local[name].notify(identity, citizen_id)
            elif name in self.exclusive:
                await self._deliver_exclusive(self.exclusive[name], identity, citizen_id)

    async def _deliver_exclusive(self, sink: ExclusiveSink, identity: str, citizen_id: str) -> None:
        lock = self._locks.setdefault(identity, asyncio.Lock())
        async with lock:  # one identity's messages leave this replica in order
            cursor = await self.ledger.cursor(identity)
            messages = await asyncio.to_thread(self.transcript.outgoing_after, citizen_id, cursor)
            if not messages:
                return
            if not await sink.accepts(identity):
                await self.ledger.raise_cursor(identity, messages[-1].id)
                return
            session = await self.sessions.get(citizen_id)
            for message in messages:
                if await self.ledger.claim(message.id, identity):
                    try:
                        await sink.send(identity, message, session)
                    except Exception:  # a sink gave up after its retries; others go on
                        log.exception("delivery of message %s to %s failed", message.id, identity)
                await self.ledger.raise_cursor(identity, message.id)

    def _spawn(self, citizen_id: str) -> None:
        task = asyncio.create_task(self._safe_fan_out(citizen_id))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _safe_fan_out(self, citizen_id: str) -> None:
        try:
            await self.fan_out(citizen_id)
        except (RedisError, StoreUnavailable, OSError) as exc:
            log.warning("delivery for a citizen failed: %s", exc)

    async def _listen(self) -> None:
        prefix = keys.outbox_channel("")
        backoff = 0.5
        while True:
            try:
                async with self.redis.pubsub() as pubsub:
                    await pubsub.psubscribe(keys.outbox_pattern())
                    backoff = 0.5
                    async for event in pubsub.listen():
                        if event.get("type") != "pmessage":
                            continue
                        channel = event["channel"]
                        name = channel.decode() if isinstance(channel, bytes) else str(channel)
                        self._spawn(name[len(prefix) :])
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError) as exc:
                log.warning("delivery subscriber lost Redis (%s); reconnecting", exc)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 10.0)

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._listen())

    async def stop(self) -> None:
        tasks = [t for t in (self._task, *self._pending) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._task = None
