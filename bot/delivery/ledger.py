"""Which channel identities a citizen has, and which messages each of them already got.

Every channel identity that speaks for a citizen is kept in a Redis set (where deliveries go).
A message reaches one channel identity at most once: whoever sends it first claims
`(message id, channel identity)` with SET NX, across every gateway replica. A cursor per channel
identity (the highest message id handled) keeps the delivery query short.
"""

from __future__ import annotations

from collections.abc import Iterable

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from bot.storage import keys
from bot.storage.replies import Replies

CLAIM_TTL_S = 7 * 24 * 3600  # far longer than any retry; the cursor covers older messages

_RAISE_CURSOR = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > current then redis.call('SET', KEYS[1], ARGV[1]) end
return current
"""


def _text(raw: object) -> str:
    return raw.decode() if isinstance(raw, bytes) else str(raw)


# SADD the identity; when it is new there, raise its cursor (as register() does), atomically.
# Returns how many channel identities the citizen has.
_REGISTER = """
local added = redis.call('SADD', KEYS[1], ARGV[1])
if added == 1 then
  local current = tonumber(redis.call('GET', KEYS[2]) or '0')
  if tonumber(ARGV[2]) > current then redis.call('SET', KEYS[2], ARGV[2]) end
end
return redis.call('SCARD', KEYS[1])
"""


class DeliveryLedger:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def identities(self, citizen_id: str) -> list[str]:
        raw: set[bytes | str] = await self.redis.smembers(  # type: ignore[misc]
            keys.identities(citizen_id)
        )
        return sorted(_text(x) for x in raw)

    async def register(self, citizen_id: str, channel_identity: str, cursor: int = 0) -> bool:
        """Remember that `channel_identity` speaks for `citizen_id`; True when it is new there.

        A new identity starts its delivery cursor at `cursor` (messages up to it are history).
        """
        added = await self.redis.sadd(keys.identities(citizen_id), channel_identity)  # type: ignore[misc]
        if added:
            await self.raise_cursor(channel_identity, cursor)
        return bool(added)

    async def unregister(self, citizen_id: str, channel_identity: str) -> None:
        await self.redis.srem(keys.identities(citizen_id), channel_identity)  # type: ignore[misc]

    async def claim(self, message_id: int, channel_identity: str) -> bool:
        """True exactly once per (message, channel identity), whichever replica asks first."""
        claimed = await self.redis.set(
            keys.delivered(message_id, channel_identity), "1", nx=True, ex=CLAIM_TTL_S
        )
        return bool(claimed)

    async def mark(self, channel_identity: str, message_ids: Iterable[int]) -> None:
        """Messages already handed to `channel_identity` directly (the reply to its turn)."""
        async with self.redis.pipeline(transaction=False) as pipe:
            for message_id in message_ids:
                pipe.set(keys.delivered(message_id, channel_identity), "1", ex=CLAIM_TTL_S)
            await pipe.execute()

    async def cursor(self, channel_identity: str) -> int:
        raw = await self.redis.get(keys.delivery_cursor(channel_identity))
        return int(_text(raw)) if raw is not None else 0

    async def raise_cursor(self, channel_identity: str, message_id: int) -> None:
        await self.redis.eval(  # type: ignore[misc]
            _RAISE_CURSOR, 1, keys.delivery_cursor(channel_identity), str(message_id)
        )

    async def after_turn(
        self, citizen_id: str, channel_identity: str, message_ids: list[int]
    ) -> None:
        """Called by the router before it announces a turn's replies."""
        async with self.redis.pipeline(transaction=False) as pipe:
            self.after_turn_in(pipe, Replies(pipe), citizen_id, channel_identity, message_ids)
            await pipe.execute()

    def after_turn_in(
        self,
        pipe: Pipeline,
        replies: Replies,
        citizen_id: str,
        channel_identity: str,
        message_ids: list[int],
    ) -> None:
        """after_turn() queued on a pipeline (the router sends a turn's bookkeeping at once):
        mark the replies as delivered to this identity, then register the identity. The reply
        named "identities" is the citizen's number of channel identities."""
        for message_id in message_ids:
            pipe.set(keys.delivered(message_id, channel_identity), "1", ex=CLAIM_TTL_S)
        replies.next("identities")
        pipe.eval(
            _REGISTER,
            2,
            keys.identities(citizen_id),
            keys.delivery_cursor(channel_identity),
            channel_identity,
            str(max(message_ids, default=0)),
        )
