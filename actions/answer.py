"""`action_answer_from_guides`: answer, clarify or decline, never invent."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.forms.link import form_link
from actions.guide_format import format_answer
from actions.knowledge import knowledge_base
from actions.texts import say
from knowledge_base import Guide, SearchResult

log = logging.getLogger(__name__)

HANDOFF_PAYLOAD = "/request_human"


def citizen_lang(tracker: Tracker) -> str:
    lang = tracker.get_slot("lang")
    return lang if lang in ("en", "zh") else "en"


class ActionAnswerFromGuides(Action):
    def name(self) -> str:
        return "action_answer_from_guides"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        lang = citizen_lang(tracker)
        simple = bool(tracker.get_slot("simple_mode"))
        kb = knowledge_base()
        chosen = next(tracker.get_latest_entity_values("guide"), None)
        if chosen:  # a candidate from a clarify question, or "full guide" in simplified mode
            full = next(tracker.get_latest_entity_values("detail"), None) == "full"
            guide = kb.guide(str(chosen), lang)
            if guide is not None:
                dispatcher.utter_message(
                    text=format_answer(guide, lang, None, simple and not full),
                    buttons=_answer_buttons(guide, lang, simple and not full),
                )
                return [SlotSet("last_topic", guide.id)]
        text = (tracker.latest_message or {}).get("text") or ""
        if text.startswith("/"):  # the "ask a question" button, not a question yet
            dispatcher.utter_message(response="utter_ask_your_question")
            return []
        try:
            result: SearchResult = await asyncio.to_thread(kb.search, text, lang)
        except Exception:  # the citizen must get an answer whatever broke in the search
            log.exception("knowledge-base search failed")
            dispatcher.utter_message(text=say("search_failed", lang), buttons=[_person(lang)])
            return []
        if result.outcome == "answer" and result.hits:
            best = result.hits[0]
            guide = kb.guide(best.guide_id, lang)
            if guide is not None:
                dispatcher.utter_message(
                    text=format_answer(guide, lang, best.section, simple),
                    buttons=_answer_buttons(guide, lang, simple),
                )
                return [SlotSet("last_topic", guide.id)]
        if result.outcome == "clarify" and result.hits:
            buttons = [
                {"title": hit.title, "payload": f'/ask_question{{"guide":"{hit.guide_id}"}}'}
                for hit in result.hits[:3]
            ]
            buttons.append(_person(lang))
            dispatcher.utter_message(text=say("clarify", lang), buttons=buttons)
            return []
        dispatcher.utter_message(text=say("decline", lang), buttons=[_person(lang)])
        dispatcher.utter_message(json_message={"misunderstood": True})
        return []


def _answer_buttons(guide: Guide, lang: str, simple: bool) -> list[dict[str, str]]:
    """The guide's form (if any); in simplified mode also the way to the full guide."""
    buttons = form_link(guide, lang)
    if simple:
        payload = f'/ask_question{{"guide":"{guide.id}","detail":"full"}}'
        buttons = [*buttons, {"title": say("more", lang), "payload": payload}]
    return buttons


def _person(lang: str) -> dict[str, str]:
    return {"title": say("talk_to_person", lang), "payload": HANDOFF_PAYLOAD}
