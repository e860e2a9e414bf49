"""Rasa's Redis tracker store without the read-merge-write on every save.

Loaded by Rasa through endpoints.yml (`tracker_store: type: civic_tracker_store.
CivicRedisTrackerStore`); the launcher and docker-compose put rasa_ext/ on Rasa's PYTHONPATH.

Rasa 3.6's `RedisTrackerStore.retrieve` returns only the latest conversation session, so its
`save` has to read the stored tracker back, deserialise it and merge the earlier sessions in
(`_merge_trackers` replays the whole history with `travel_back_in_time`). Measured with py-spy
on question turns that was about a fifth of Rasa's CPU per message.

Here `retrieve` returns the whole stored tracker (as Rasa up to 3.5 did; the domain sets
`session_expiration_time: 0`, so a conversation is one session anyway, and policies only read
the events after the last SessionStarted), and `save` writes the tracker it was given: it
already holds every stored event. Same key, same JSON format, so `bot/rasa/tracker.py` and
any Rasa tool read it unchanged. Writes of one conversation are serialised by Rasa's lock
store, as before.

Both stores here (tracker and lock) connect with the one `REDIS_URL` every other process uses
(endpoints.yml: `url: ${REDIS_URL}`), through redis-py's `from_url`: `rediss://` turns TLS on,
and the URL's query gives the CA file (`?ssl_ca_certs=/path`) and the certificate check
(`ssl_cert_reqs=required`, the default). Rasa's own `use_ssl` option could not be set from the
environment: an endpoints.yml `${VAR}` is always a string, and the string "false" is true.

Because endpoints.yml names this module, importing it also loads the other rasa_ext modules
Rasa relies on (a Rasa started without rasa_ext on its path fails at start, not quietly).
"""

from __future__ import annotations

from typing import Any

import redis
from rasa.core.lock_store import DEFAULT_SOCKET_TIMEOUT_IN_SECONDS, RedisLockStore
from rasa.core.tracker_store import RedisTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

import civic_http  # noqa: F401  (pooled action-server connections)
import civic_metadata_slots  # noqa: F401  (slots from message metadata)

URL_SCHEMES = ("redis://", "rediss://", "unix://")


def redis_from_url(url: str, **options: Any) -> redis.StrictRedis:
    """A client for `url` (redis://, rediss:// with TLS, unix://), as the gateway connects."""
    if not url.startswith(URL_SCHEMES):
        raise ValueError(
            "the Redis url in endpoints.yml must be a redis://, rediss:// or unix:// URL "
            f"(REDIS_URL), got {url.split('@')[-1]!r}"
        )
    return redis.StrictRedis.from_url(url, **options)


class CivicRedisTrackerStore(RedisTrackerStore):  # type: ignore[misc]  # Rasa is untyped
    def __init__(self, domain: Any, host: str = "localhost", **kwargs: Any) -> None:
        super().__init__(domain, host="localhost", **kwargs)  # a client that never connects
        self.red = redis_from_url(host, decode_responses=True)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        return await self.retrieve_full_tracker(sender_id)

    async def save(
        self, tracker: DialogueStateTracker, timeout: float | None = None
    ) -> None:
        await self.stream_events(tracker)
        if not timeout and self.record_exp:
            timeout = self.record_exp
        self.red.set(
            self.key_prefix + tracker.sender_id,
            self.serialise_tracker(tracker),
            ex=timeout,
        )


class CivicRedisLockStore(RedisLockStore):  # type: ignore[misc]  # Rasa is untyped
    """Rasa's Redis lock store, connected by URL (see the module docstring)."""

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        kwargs = dict(endpoint_config.kwargs or {})
        timeout = float(kwargs.get("socket_timeout") or DEFAULT_SOCKET_TIMEOUT_IN_SECONDS)
        super().__init__(key_prefix=kwargs.get("key_prefix"), socket_timeout=timeout)
        self.red = redis_from_url(endpoint_config.url or "", socket_timeout=timeout)
