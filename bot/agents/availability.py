"""Agent availability: online, away or offline, shared by every gateway replica in Redis.

- An agent sets online or away in the console; logging out sets offline.
- The console's open event stream (or its heartbeat request) marks the agent as seen; when
  nothing was seen for `presence_grace_s` the agent goes offline (the console was closed or
  lost its connection).
- Doing something in the console marks the agent active; an online agent idle for
  `agent_idle_s` goes away.
- Only online agents get tickets by automatic assignment (bot/agents/assignment.py). Since
  when an agent has had no new ticket (`desk_idle`) breaks ties there.

Every time is the injected clock's, so tests move it; the sweep is one Lua script, so
replicas sweeping at once change each agent once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, get_args

from redis.asyncio import Redis

from bot.clock import Clock
from bot.handoff.settings import HandoffSettings
from bot.storage import keys

Status = Literal["online", "away", "offline"]
STATUSES: tuple[Status, ...] = get_args(Status)

# KEYS: status, seen, active. ARGV: now, grace_s, idle_s.
# -> {agent, new status, ...} for every agent whose status changed.
_SWEEP = """
local now, grace, idle = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local out = {}
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local name, status = all[i], all[i + 1]
  if status ~= 'offline' then
    local seen = tonumber(redis.call('ZSCORE', KEYS[2], name) or '0')
    local active = tonumber(redis.call('HGET', KEYS[3], name) or '0')
    local new = status
    if seen < now - grace then
      new = 'offline'
    elseif status == 'online' and active < now - idle then
      new = 'away'
    end
    if new ~= status then
      redis.call('HSET', KEYS[1], name, new)
      out[#out + 1] = name
      out[#out + 1] = new
    end
  end
end
return out
"""


@dataclass(frozen=True)
class Presence:
    username: str
    status: Status
    seen_s_ago: int | None  # since the console was last connected
    idle_s: int | None  # since the agent last did something


def profile_line(team: str | None, languages: tuple[str, ...], capacity: int) -> str:
    """What automatic assignment matches on, in one Redis hash value."""
    return f"{team or ''}|{','.join(languages)}|{max(0, int(capacity))}"


class Availability:
    def __init__(self, redis: Redis, clock: Clock, settings: HandoffSettings) -> None:
        self.redis = redis
        self.clock = clock
        self.settings = settings
        self._sweep = redis.register_script(_SWEEP)

    def _now(self) -> float:
        return self.clock.now().timestamp()

    async def publish_profile(
        self, username: str, team: str | None, languages: tuple[str, ...], capacity: int | None
    ) -> None:
        line = profile_line(team, languages, self.settings.agent_capacity if capacity is None
                            else capacity)  # fmt: skip
        await self.redis.hset(keys.desk_profiles(), username, line)  # type: ignore[misc]

    async def forget(self, username: str) -> None:
        """A disabled account: no profile, offline."""
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hdel(keys.desk_profiles(), username)
            pipe.hset(keys.desk_status(), username, "offline")
            pipe.zrem(keys.desk_seen(), username)
            await pipe.execute()

    async def set(self, username: str, status: Status) -> None:
        """The agent's own choice (or logout: offline). Going online counts as activity and as
        a sign of life, and starts their idle time for tie-breaking if they had none."""
        now = self._now()
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(keys.desk_status(), username, status)
            if status != "offline":
                pipe.zadd(keys.desk_seen(), {username: now})
                pipe.hset(keys.desk_active(), username, now)
                pipe.hsetnx(keys.desk_idle(), username, now)
            await pipe.execute()
        await self.redis.publish(keys.handoff_events_channel(), f"presence:{status}")

    async def seen(self, username: str, active: bool = False) -> None:
        """A heartbeat of the agent's console (and, if `active`, something the agent did)."""
        now = self._now()
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.zadd(keys.desk_seen(), {username: now})
            if active:
                pipe.hset(keys.desk_active(), username, now)
            await pipe.execute()

    async def status(self, username: str) -> Status:
        raw = await self.redis.hget(keys.desk_status(), username)  # type: ignore[misc]
        value = raw.decode() if isinstance(raw, bytes) else raw
        return value if value in STATUSES else "offline"  # type: ignore[return-value]

    async def sweep(self) -> list[tuple[str, Status]]:
        """Online agents idle too long -> away; consoles gone past the grace -> offline."""
        s = self.settings
        raw: list[Any] = await self._sweep(
            keys=[keys.desk_status(), keys.desk_seen(), keys.desk_active()],
            args=[self._now(), s.presence_grace_s, s.agent_idle_s],
        )
        names = [x.decode() if isinstance(x, bytes) else str(x) for x in raw]
        changes = list(zip(names[::2], names[1::2], strict=True))
        for _, status in changes:
            await self.redis.publish(keys.handoff_events_channel(), f"presence:{status}")
        return changes  # type: ignore[return-value]

    async def everyone(self) -> list[Presence]:
        now = self._now()
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.hgetall(keys.desk_status())
            pipe.zrange(keys.desk_seen(), 0, -1, withscores=True)
            pipe.hgetall(keys.desk_active())
            status_raw, seen_raw, active_raw = await pipe.execute()
        seen = {k.decode(): float(v) for k, v in seen_raw}
        active = {k.decode(): float(v) for k, v in active_raw.items()}
        out = []
        for name_raw, status_raw_value in sorted(status_raw.items()):
            name, status = name_raw.decode(), status_raw_value.decode()
            out.append(
                Presence(
                    username=name,
                    status=status if status in STATUSES else "offline",
                    seen_s_ago=int(now - seen[name]) if name in seen else None,
                    idle_s=int(now - active[name]) if name in active else None,
                )
            )
        return out
