"""`action_validate_slot_mappings`: copies language, mode and channel from message metadata.

The gateway owns the session and sends `lang`, `simple_mode` and `channel` as metadata with
every message; Rasa's `action_extract_slots` calls this after every user message.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction


def _metadata(tracker: Tracker) -> dict[str, Any]:
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    return metadata if isinstance(metadata, dict) else {}


class ValidateSessionSlots(ValidationAction):
    async def extract_lang(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        lang = _metadata(tracker).get("lang")
        return {"lang": lang} if lang in ("en", "zh") else {}

    async def extract_simple_mode(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        value = _metadata(tracker).get("simple_mode")
        return {"simple_mode": value} if isinstance(value, bool) else {}

    async def extract_channel(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        value = _metadata(tracker).get("channel")
        return {"channel": value[:40]} if isinstance(value, str) and value else {}
