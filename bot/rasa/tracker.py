"""The form data collected so far, read from Rasa's tracker in Redis (for the agent console).

Rasa's Redis tracker store keeps each conversation as a JSON dialogue under
`rasa:tracker:<sender id>`; the slots are the replay of its `slot` events.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis

from bot.storage import keys

# set by the gateway on every message: not form data
INTERNAL_SLOTS = frozenset(
    {"lang", "simple_mode", "channel", "requested_slot", "session_started_metadata"}
)


@dataclass(frozen=True)
class FormData:
    active_form: str | None = None
    slots: dict[str, Any] = field(default_factory=dict)


def form_data_from_dialogue(dialogue: dict[str, Any]) -> FormData:
    slots: dict[str, Any] = {}
    active: str | None = None
    for event in dialogue.get("events") or []:
        kind = event.get("event")
        if kind == "slot" and isinstance(event.get("name"), str):
            slots[event["name"]] = event.get("value")
        elif kind == "active_loop":
            active = event.get("name") or None
        elif kind == "restart":
            slots, active = {}, None
    shown = {k: v for k, v in slots.items() if k not in INTERNAL_SLOTS and v not in (None, "", [])}
    return FormData(active, shown)


async def form_data(redis: Redis, citizen_id: str) -> FormData:
    raw = await redis.get(keys.RASA_TRACKER_PREFIX + citizen_id)
    if raw is None:
        return FormData()
    try:
        dialogue = json.loads(raw)
    except ValueError:
        return FormData()
    return form_data_from_dialogue(dialogue) if isinstance(dialogue, dict) else FormData()
