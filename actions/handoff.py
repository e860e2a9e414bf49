"""`action_request_human`: signals the gateway to open a handoff ticket."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher


class ActionRequestHuman(Action):
    def name(self) -> str:
        return "action_request_human"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        topic = tracker.get_slot("last_topic")
        active_form = (tracker.active_loop or {}).get("name")
        dispatcher.utter_message(
            json_message={"handoff": {"reason": "requested", "topic": active_form or topic or None}}
        )
        return []
