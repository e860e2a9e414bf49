"""`action_answer_from_guides`: answer, clarify or decline, never invent."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.follow_up import follow_up_aspect
from actions.forms.spec import forms
from actions.guide_format import answer_buttons, format_answer, format_section
from actions.knowledge import knowledge_base
from actions.part_reply import format_part, parse_detail, part_buttons
from actions.phrasing import plain_words, without_hearsay
from actions.question_part import GENERAL, part_section, question_part
from actions.texts import say
from common.vocabulary import PERSON_PAYLOAD as HANDOFF_PAYLOAD
from knowledge_base import Guide, KnowledgeBase, SearchResult

log = logging.getLogger(__name__)


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
        in_a_form = (tracker.active_loop or {}).get("name") in forms()  # no part buttons there
        kb = knowledge_base()
        chosen = next(tracker.get_latest_entity_values("guide"), None)
        if chosen:  # a candidate from a clarify question, a part's button, or "full guide"
            detail = next(tracker.get_latest_entity_values("detail"), None)
            full, button_part = detail == "full", parse_detail(detail)
            guide = kb.guide(str(chosen), lang)
            if guide is not None and button_part is not None:
                part, rest = button_part
                _answer_part(dispatcher, guide, lang, part, simple, rest=rest)
                _mark(dispatcher, "guide_opened", guide=guide.id)
                return [SlotSet("last_topic", guide.id)]
            if guide is not None:
                dispatcher.utter_message(
                    text=format_answer(guide, lang, None, simple and not full),
                    buttons=answer_buttons(guide, lang, simple and not full),
                )
                _mark(dispatcher, "guide_opened", guide=guide.id)
                return [SlotSet("last_topic", guide.id)]
        text = (tracker.latest_message or {}).get("text") or ""
        if text.startswith("/"):  # the "ask a question" button, not a question yet
            dispatcher.utter_message(response="utter_ask_your_question")
            return []
        aspect = follow_up_aspect(text)
        topic = _topic(tracker) if aspect else None
        guide = kb.guide(topic, lang) if topic else None
        if aspect and guide is not None:  # 'how much does it cost?' after a guide
            _answer_part(dispatcher, guide, lang, aspect, simple, parts=not in_a_form)
            _mark(dispatcher, "answered", guide=guide.id)
            return [SlotSet("last_topic", guide.id)]
        try:
            result: SearchResult = await asyncio.to_thread(kb.search, plain_words(text), lang)
            shorter = without_hearsay(plain_words(text))
            if result.outcome != "answer" and shorter and shorter != plain_words(text):
                retry: SearchResult = await asyncio.to_thread(kb.search, shorter, lang)
                if retry.outcome == "answer":
                    result = retry
        except Exception:  # the citizen must get an answer whatever broke in the search
            log.exception("knowledge-base search failed")
            dispatcher.utter_message(text=say("search_failed", lang), buttons=[_person(lang)])
            return []
        search_ms = round(result.elapsed_ms, 2)
        in_form = _form_guide(tracker, kb, lang)
        aspect = follow_up_aspect(text, subject_allowed=True)
        if result.outcome == "decline" and in_form is not None and aspect is not None:
            # a question about the service of the form being filled in ('how long does a
            # repair take?' in a street report): its guide answers it
            reply = format_part(in_form, lang, aspect)[0] if not simple else None
            dispatcher.utter_message(text=reply or format_section(in_form, lang, aspect, simple))
            _mark(dispatcher, "answered", guide=in_form.id, search_ms=search_ms)
            return [SlotSet("last_topic", in_form.id)]
        if result.outcome == "answer" and result.hits:
            best = result.hits[0]
            guide = kb.guide(best.guide_id, lang)
            part = question_part(text)
            if guide is not None and part != GENERAL and not simple:  # it leads with the part
                _answer_part(dispatcher, guide, lang, part, simple, parts=not in_a_form)
                _mark(dispatcher, "answered", guide=guide.id, search_ms=search_ms)
                return [SlotSet("last_topic", guide.id)]
            if guide is not None:
                dispatcher.utter_message(
                    text=format_answer(guide, lang, best.section, simple),
                    buttons=answer_buttons(guide, lang, simple),
                )
                _mark(dispatcher, "answered", guide=guide.id, search_ms=search_ms)
                return [SlotSet("last_topic", guide.id)]
        if result.outcome == "clarify" and result.hits:
            buttons = [
                {"title": hit.title, "payload": f'/ask_question{{"guide":"{hit.guide_id}"}}'}
                for hit in result.hits[:3]
            ]
            buttons.append(_person(lang))
            dispatcher.utter_message(text=say("clarify", lang), buttons=buttons)
            _mark(dispatcher, "clarified", guide=result.hits[0].guide_id, search_ms=search_ms)
            return []
        dispatcher.utter_message(text=say("decline", lang), buttons=[_person(lang)])
        dispatcher.utter_message(json_message={"misunderstood": True})
        nearest = result.hits[0].guide_id if result.hits else None
        _mark(dispatcher, "declined", guide=nearest, search_ms=search_ms)
        return []


def _topic(tracker: Tracker) -> str | None:
    """What a follow-up is about: the guide of the form being filled in, else the last guide
    answered."""
    guide = _form_guide(tracker, knowledge_base(), "en")
    if guide is not None:
        return guide.id
    topic = tracker.get_slot("last_topic")
    return str(topic) if topic else None


def _form_guide(tracker: Tracker, kb: KnowledgeBase, lang: str) -> Guide | None:
    """The guide of the form being filled in; of several (street problems), the one whose
    id names an answer already given ('pothole' -> report-pothole)."""
    active = (tracker.active_loop or {}).get("name")
    if active not in forms():
        return None
    guides = [g for g in kb.guides(lang) or kb.guides("en") if g.form == active]
    answers = {str(v) for k, v in tracker.slots.items() if k.startswith(f"{active}_") and v}
    named = [g for g in guides if any(a in g.id for a in answers)]
    chosen = named or guides
    return chosen[0] if chosen else None


def _mark(dispatcher: CollectingDispatcher, kind: str, **detail: Any) -> None:
    """The question's outcome for the gateway's insights (a control-only reply it drops)."""
    mark = {"kind": kind, **{k: v for k, v in detail.items() if v is not None}}
    dispatcher.utter_message(json_message={"outcome": mark})


def _answer_part(
    dispatcher: CollectingDispatcher,
    guide: Guide,
    lang: str,
    part: str,
    simple: bool,
    rest: bool = False,
    parts: bool = True,
) -> None:
    """A question about one part: in normal mode the reply leads with it (the rest of a long
    part, the other parts and the full guide behind buttons unless `parts` is off, as inside a
    form); simplified mode keeps its short answer of that section."""
    if simple:
        dispatcher.utter_message(
            text=format_section(guide, lang, part_section(part), simple),
            buttons=answer_buttons(guide, lang, simple),
        )
        return
    text, more = format_part(guide, lang, part, rest)
    buttons = answer_buttons(guide, lang, simple)
    if parts:
        buttons += part_buttons(guide, lang, part, more)
    dispatcher.utter_message(text=text, buttons=buttons)


def _person(lang: str) -> dict[str, str]:
    return {"title": say("talk_to_person", lang), "payload": HANDOFF_PAYLOAD}
