"""Slots filled from the message metadata inside Rasa, instead of a call to the action server.

The gateway sends `lang`, `simple_mode` and `channel` as metadata with every message. Rasa 3.6
has no slot mapping that reads metadata, so these slots used to be filled by a custom
`action_validate_slot_mappings`: one more HTTP round trip to the action server, with the whole
tracker, on every message. Here `action_extract_slots` itself sets them, after Rasa's own
extraction, and only when the value changes (so the tracker does not grow by three events per
message). The slots are declared in intents/domain/core.yml with `type: custom` mappings and
no action. Imported by sitecustomize and by civic_tracker_store (which endpoints.yml names, so
a Rasa that reads our endpoints always has this too).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa.core.actions.action import ActionExtractSlots
from rasa.shared.core.events import Event, SlotSet


def _lang(value: Any) -> str | None:
    return value if value in ("en", "zh") else None


def _flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _channel(value: Any) -> str | None:
    return value[:40] if isinstance(value, str) and value else None


# slot name -> (metadata key, check returning the slot value or None to leave the slot alone)
METADATA_SLOTS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "lang": ("lang", _lang),
    "simple_mode": ("simple_mode", _flag),
    "channel": ("channel", _channel),
}


def metadata_slot_events(tracker: Any, domain: Any, already: list[Event]) -> list[Event]:
    message = tracker.latest_message
    metadata = getattr(message, "metadata", None) or {}
    if not isinstance(metadata, dict):
        return []
    declared = {slot.name for slot in domain.slots}
    pending = {e.key: e.value for e in already if isinstance(e, SlotSet)}
    events: list[Event] = []
    for slot, (key, check) in METADATA_SLOTS.items():
        if slot not in declared or key not in metadata:
            continue
        value = check(metadata[key])
        current = pending.get(slot, tracker.get_slot(slot))
        if value is not None and value != current:
            events.append(SlotSet(slot, value))
    return events


_original_run = ActionExtractSlots.run


async def run(self: ActionExtractSlots, output_channel: Any, nlg: Any, tracker: Any, domain: Any):  # type: ignore[no-untyped-def]
    events = await _original_run(self, output_channel, nlg, tracker, domain)
    return list(events) + metadata_slot_events(tracker, domain, list(events))


if getattr(ActionExtractSlots.run, "__module__", "") != __name__:
    ActionExtractSlots.run = run
