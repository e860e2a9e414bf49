"""`action_switch_language`: switches between English and Chinese on request."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.texts import say

_WANTS_ZH = re.compile(r"中文|汉语|普通话|chinese|mandarin", re.IGNORECASE)
_WANTS_EN = re.compile(r"english|英文|英语", re.IGNORECASE)


def target_language(text: str, current: str) -> str:
    """The language asked for; a bare 'switch language' toggles."""
    wants_zh, wants_en = bool(_WANTS_ZH.search(text)), bool(_WANTS_EN.search(text))
    if wants_zh and not wants_en:
        return "zh"
    if wants_en and not wants_zh:
        return "en"
    return "en" if current == "zh" else "zh"


class ActionSwitchLanguage(Action):
    def name(self) -> str:
        return "action_switch_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        current = tracker.get_slot("lang") or "en"
        text = (tracker.latest_message or {}).get("text") or ""
        lang = target_language(text, str(current))
        dispatcher.utter_message(text=say("switched_language", lang), json_message=None)
        dispatcher.utter_message(json_message={"set": {"lang": lang}})
        return [SlotSet("lang", lang)]
