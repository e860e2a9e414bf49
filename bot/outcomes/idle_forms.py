"""Forms left idle: a citizen who started a form and went silent for longer than the session
idle time (CIVIC_SESSION_IDLE_MIN, 30 minutes) dropped out at the step they were on, exactly
as the insights' funnel counts them (insights/figures.py: the run's session ended without a
submit, cancel, pause or handoff: reason `left`). Here it is the Prometheus counter
`civic_bot_form_dropouts_total{form, step, reason="left"}`, next to the explicit drop-outs.

Each turn's form events update a Redis sorted set of open forms ("<subject>|<form>" by the
time of its last event) and a hash of their current step, in the turn's own round trip. Only
`form_started` / `form_resumed` open an entry (like a run in the funnel); a later event of a
form that is not open (the citizen came back after it was counted as left) changes nothing;
submitted, cancelled, paused and handed over close it. The gateway's outcome drain sweeps the
entries idle past the limit every few seconds: one Lua script takes each out atomically, so
with several gateway replicas every left form is counted once. No text is kept: the subject
is the pseudonym of the outcome events, and an entry lives only until it is closed or swept.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from bot.outcomes import metrics
from bot.storage import keys

OPENS = ("form_started", "form_resumed")
CLOSES = ("form_submitted", "form_cancelled", "form_paused", "form_handoff")

# KEYS: index, steps. ARGV: member, time, step JSON ('' keeps the last), opens (0/1), closes
_TOUCH = """
if ARGV[5] == '1' then
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[2], ARGV[1])
  return 0
end
if ARGV[4] == '1' or redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
  if ARGV[3] ~= '' then redis.call('HSET', KEYS[2], ARGV[1], ARGV[3]) end
  return 1
end
return 0
"""
# KEYS: index, steps. ARGV: cutoff time, most to take. Returns the taken entries' steps.
# Idle for longer than the limit: last event strictly before the cutoff (as sessions split).
_SWEEP = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1], 'LIMIT', 0, ARGV[2])
local out = {}
for _, member in ipairs(due) do
  redis.call('ZREM', KEYS[1], member)
  table.insert(out, redis.call('HGET', KEYS[2], member) or '')
  redis.call('HDEL', KEYS[2], member)
end
return out
"""


def track_in(pipe: Pipeline, rows: Sequence[Mapping[str, Any]]) -> None:
    """A turn's form events, queued on the turn's pipeline (in the order they happened)."""
    for row in rows:
        form, kind = row.get("form"), row["kind"]
        if not form or not str(kind).startswith("form_"):
            continue
        opens, closes = kind in OPENS, kind in CLOSES
        step = row.get("step")
        where = ""
        if opens or step is not None:
            where = json.dumps(
                {"form": form, "step": step, "lang": row["lang"], "channel": row["channel"]},
                separators=(",", ":"),
            )
        at = datetime.fromisoformat(row["at"]).timestamp()
        member = f"{row['subject']}|{form}"
        pipe.eval(_TOUCH, 2, keys.open_forms(), keys.open_form_steps(),
                  member, at, where, int(opens), int(closes))  # fmt: skip


async def sweep(redis: Redis, now: datetime, idle_s: int, batch: int = 500) -> list[dict[str, Any]]:
    """Take out the forms idle for longer than idle_s and count each as left at its step;
    returns what was counted (form, step, lang, channel)."""
    cutoff = now.timestamp() - idle_s
    left: list[dict[str, Any]] = []
    while True:
        raw = await redis.eval(_SWEEP, 2, keys.open_forms(), keys.open_form_steps(), cutoff, batch)  # type: ignore[misc]
        for item in raw:
            text = item.decode() if isinstance(item, bytes) else str(item)
            where: dict[str, Any] = json.loads(text) if text else {}
            step = where.get("step")
            form = str(where.get("form") or "")
            metrics.FORM_DROPOUTS.labels(form, "" if step is None else str(step), "left").inc()
            left.append(where)
        if len(raw) < batch:
            return left
