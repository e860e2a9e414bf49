"""Telegram's flood limits, counted in Redis so that every gateway replica shares them: about
30 messages a second for the whole bot, and one message a second per chat for what is pushed
(notifications, agent replies; a reply to the citizen's own message goes at once, as
Telegram allows short bursts in a chat that just wrote). Redis's own clock (TIME) is the one
clock every replica agrees on. A 429 that still comes back is waited out by `with_retry`."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis

from bot.storage import keys

PER_SECOND = 30
CHAT_INTERVAL_MS = 1000

# KEYS: the bot's window counter, the chat's next-allowed time. ARGV: the bot's limit per
# second, the chat interval in ms, 1 to pace the chat. Returns 0 (send now) or ms to wait.
_PACE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if ARGV[3] == '1' then
  local nxt = tonumber(redis.call('GET', KEYS[2]) or '0')
  if now < nxt then return nxt - now end
end
local sent = redis.call('INCR', KEYS[1])
if sent == 1 then redis.call('PEXPIRE', KEYS[1], 1000) end
if sent > tonumber(ARGV[1]) then
  redis.call('DECR', KEYS[1])
  local left = redis.call('PTTL', KEYS[1])
  if left < 1 then left = 1 end
  return left
end
if ARGV[3] == '1' then
  redis.call('SET', KEYS[2], now + tonumber(ARGV[2]), 'PX', tonumber(ARGV[2]) * 2)
end
return 0
"""


class TelegramPace:
    def __init__(
        self, redis: Redis, per_second: int = PER_SECOND, chat_interval_ms: int = CHAT_INTERVAL_MS
    ) -> None:
        self.redis = redis
        self.per_second = per_second
        self.chat_interval_ms = chat_interval_ms

    async def wait(self, chat_id: int, pace_chat: bool) -> None:
        """Return when one more message to `chat_id` may go."""
        while True:
            wait_ms = await self.redis.eval(  # type: ignore[misc]
                _PACE,
                2,
                keys.telegram_rate(),
                keys.telegram_chat_next(chat_id),
                str(self.per_second),
                str(self.chat_interval_ms),
                "1" if pace_chat else "0",
            )
            if int(wait_ms) <= 0:
                return
            await asyncio.sleep(int(wait_ms) / 1000)
