"""Automatic assignment: a waiting ticket goes to an online agent of its team and language with
free capacity, without anyone claiming it.

For every waiting live ticket of a team in `auto` mode (CIVIC_ASSIGNMENT), oldest first in the
queue's priority order, the matching agent with the fewest active tickets gets it; ties go to
the agent idle longest (no new ticket for the longest time), then by name. An agent matches
when they are online and seen within the grace, their team is the ticket's (or they have
none), they speak its language (or have no languages set) and hold fewer tickets than their
capacity. Held tickets are counted from the holders in Redis, so the count cannot drift.

The whole decision is one Lua script: two gateway replicas running it at once never give a
ticket twice or an agent more than their capacity. The ticket leaves the queue, is held by the
agent and waits for them to accept it (open it or write) until its deadline; a ticket not
accepted in time goes back to its old place in the queue and the agent is set away.
"""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis

from bot.clock import Clock
from bot.handoff.queue import HandoffQueue
from bot.handoff.settings import HandoffSettings
from bot.storage import keys

# KEYS: queue, open, profiles, status, seen, idle, offers.
# ARGV: now, accept-by deadline, grace_s, default mode, "team=mode;...", claim prefix,
#       ticket prefix.  -> {ticket id, agent, ...}
_ASSIGN = """
local now, grace = tonumber(ARGV[1]), tonumber(ARGV[3])
local default_auto = ARGV[4] == 'auto'
local modes = {}
for team, mode in string.gmatch(ARGV[5], '([^=;]+)=([^;]+)') do modes[team] = mode == 'auto' end
local claim_prefix, ticket_prefix = ARGV[6], ARGV[7]
local agents, by_name = {}, {}
local all = redis.call('HGETALL', KEYS[4])
for i = 1, #all, 2 do
  local name = all[i]
  local seen = tonumber(redis.call('ZSCORE', KEYS[5], name) or '0')
  if all[i + 1] == 'online' and seen >= now - grace then
    local profile = redis.call('HGET', KEYS[3], name)
    if profile then
      local team, langs, cap = string.match(profile, '^([^|]*)|([^|]*)|(%d+)$')
      if team then
        local a = {name = name, team = team, langs = ',' .. langs .. ',', any = langs == '',
                   cap = tonumber(cap), load = 0,
                   idle = tonumber(redis.call('HGET', KEYS[6], name) or '0')}
        agents[#agents + 1] = a
        by_name[name] = a
      end
    end
  end
end
if #agents == 0 then return {} end
for _, id in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  local holder = redis.call('GET', claim_prefix .. id)
  if holder and by_name[holder] then by_name[holder].load = by_name[holder].load + 1 end
end
local out = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local t = redis.call('HMGET', ticket_prefix .. id, 'team', 'lang', 'kind')
  local team, lang, kind = t[1] or '', t[2] or '', t[3] or 'live'
  local auto = modes[team]
  if auto == nil then auto = default_auto end
  if auto and kind == 'live' then
    local best = nil
    for _, a in ipairs(agents) do
      if a.load < a.cap and (a.team == '' or a.team == team)
         and (a.any or string.find(a.langs, ',' .. lang .. ',', 1, true)) then
        if best == nil or a.load < best.load
           or (a.load == best.load and (a.idle < best.idle
               or (a.idle == best.idle and a.name < best.name))) then
          best = a
        end
      end
    end
    if best then
      redis.call('ZREM', KEYS[1], id)
      redis.call('SET', claim_prefix .. id, best.name)
      redis.call('ZADD', KEYS[7], ARGV[2], id)
      redis.call('HSET', KEYS[6], best.name, ARGV[1])
      best.load = best.load + 1
      best.idle = now
      out[#out + 1] = id
      out[#out + 1] = best.name
    end
  end
end
return out
"""

# KEYS: offers, queue, status. ARGV: now, claim prefix, ticket prefix.
# -> {ticket id, agent, ...} of the assignments that timed out (now back in the queue).
_EXPIRE = """
local out = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])) do
  redis.call('ZREM', KEYS[1], id)
  local holder = redis.call('GET', ARGV[2] .. id)
  local score = redis.call('HGET', ARGV[3] .. id, 'score')
  if holder and score then
    redis.call('DEL', ARGV[2] .. id)
    redis.call('ZADD', KEYS[2], score, id)
    if redis.call('HGET', KEYS[3], holder) == 'online' then
      redis.call('HSET', KEYS[3], holder, 'away')
    end
    out[#out + 1] = id
    out[#out + 1] = holder
  end
end
return out
"""


def _pairs(raw: list[Any]) -> list[tuple[int, str]]:
    values = [x.decode() if isinstance(x, bytes) else str(x) for x in raw]
    return [(int(t), a) for t, a in zip(values[::2], values[1::2], strict=True)]


class Assigner:
    def __init__(
        self, redis: Redis, queue: HandoffQueue, clock: Clock, settings: HandoffSettings
    ) -> None:
        self.redis = redis
        self.queue = queue
        self.clock = clock
        self.settings = settings
        self._assign = redis.register_script(_ASSIGN)
        self._expire = redis.register_script(_EXPIRE)

    @property
    def enabled(self) -> bool:
        s = self.settings
        return s.assignment_default == "auto" or any(m == "auto" for _, m in s.assignment_teams)

    async def decide(self) -> list[tuple[int, str]]:
        """The decision alone (one Lua script): (ticket, agent) pairs now held by the agents."""
        if not self.enabled:
            return []
        now = self.clock.now().timestamp()
        s = self.settings
        raw: list[Any] = await self._assign(
            keys=[
                keys.handoff_queue(), keys.handoff_open(), keys.desk_profiles(),
                keys.desk_status(), keys.desk_seen(), keys.desk_idle(), keys.handoff_offers(),
            ],
            args=[
                now, now + s.accept_timeout_s, s.presence_grace_s, s.assignment_default,
                ";".join(f"{team}={mode}" for team, mode in s.assignment_teams),
                keys.handoff_claim_prefix(), keys.handoff_ticket_prefix(),
            ],
        )  # fmt: skip
        return _pairs(raw)

    async def assign(self) -> list[tuple[int, str]]:
        """Decide, then record an `assigned` event per ticket and announce it."""
        made = await self.decide()
        deadline = self.clock.now().timestamp() + self.settings.accept_timeout_s
        for ticket_id, agent in made:
            await self.queue.assigned(ticket_id, agent, deadline)
        return made

    async def expire(self) -> list[tuple[int, str]]:
        """Assignments past their deadline go back to the queue; their agents are set away."""
        raw: list[Any] = await self._expire(
            keys=[keys.handoff_offers(), keys.handoff_queue(), keys.desk_status()],
            args=[
                self.clock.now().timestamp(),
                keys.handoff_claim_prefix(),
                keys.handoff_ticket_prefix(),
            ],
        )
        expired = _pairs(raw)
        for ticket_id, agent in expired:
            await self.queue.not_accepted(ticket_id, agent)
        if expired:
            await self.redis.publish(keys.handoff_events_channel(), "presence:away")
        return expired
