"""The end of a form (submit, cancel, pause, hand over to a person) and resuming a saved
draft."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.cases_client import CasesUnavailable, cases_client
from actions.forms.spec import CONFIRM_SLOT, FormSpec, forms
from actions.forms.summary import answers_for_case
from actions.forms.texts import say
from actions.forms.tracker import active_spec, citizen_lang
from actions.forms.turn import DRAFT_SLOT, PROGRESS_SLOT, REQUESTED_SLOT, STATUS_SLOT

log = logging.getLogger(__name__)


def _reset(spec: FormSpec, keep_answers: bool) -> list[EventType]:
    slots = [CONFIRM_SLOT, STATUS_SLOT, PROGRESS_SLOT, REQUESTED_SLOT]
    if not keep_answers:
        slots += [*spec.slots, DRAFT_SLOT]
    return [SlotSet(slot, None) for slot in slots]


class ActionFinishForm(Action):
    """Runs when a form ends: submits it, or confirms the cancel, the pause or the handoff."""

    def name(self) -> str:
        return "action_finish_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        spec = active_spec(tracker)
        if spec is None:
            return []
        lang, status = citizen_lang(tracker), tracker.get_slot(STATUS_SLOT)
        title = spec.title[lang]
        if status == "cancelled":
            dispatcher.utter_message(text=say("cancelled", lang, title=title))
            return _reset(spec, keep_answers=False)
        if status == "paused":
            dispatcher.utter_message(text=say("paused", lang, title=title))
            return _reset(spec, keep_answers=True)
        if status == "handoff":
            dispatcher.utter_message(text=say("handoff_saved", lang, title=title))
            dispatcher.utter_message(
                json_message={"handoff": {"reason": "requested", "topic": spec.name}}
            )
            return _reset(spec, keep_answers=True)
        if status != "confirmed":
            return []
        return await self._submit(dispatcher, tracker, spec, lang)

    async def _submit(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, spec: FormSpec, lang: str
    ) -> list[EventType]:
        draft = tracker.get_slot(DRAFT_SLOT)
        key = draft.get("id") if isinstance(draft, dict) else None
        channel = tracker.get_slot("channel") or "rest"
        title = spec.title[lang]
        try:
            case = await cases_client().submit(
                tracker.sender_id,
                spec.name,
                answers_for_case(spec, tracker.slots),
                str(channel),
                lang,
                str(key or ""),
            )
        except CasesUnavailable as exc:
            log.warning("submitting form %s failed: %s", spec.name, exc)
            dispatcher.utter_message(
                json_message={"outcome": {"kind": "form_submit_failed", "form": spec.name}}
            )
            dispatcher.utter_message(text=say("submit_failed", lang, title=title))
            # Back to the summary with every answer kept: 'confirm' tries again.
            return [
                SlotSet(CONFIRM_SLOT, None),
                SlotSet(STATUS_SLOT, None),
                ActiveLoop(spec.name),
                SlotSet(REQUESTED_SLOT, CONFIRM_SLOT),
            ]
        reference = str(case["reference"])
        log.info("form %s submitted as %s", spec.name, reference)
        dispatcher.utter_message(text=say("submitted", lang, title=title, reference=reference))
        dispatcher.utter_message(
            json_message={"outcome": {"kind": "form_submitted", "form": spec.name}}
        )
        return _reset(spec, keep_answers=False)


class ActionResumeForm(Action):
    """'continue' / '继续': reopens the saved draft at the first unanswered question."""

    def name(self) -> str:
        return "action_resume_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        lang = citizen_lang(tracker)
        draft = tracker.get_slot(DRAFT_SLOT)
        spec = forms().get(str(draft.get("form"))) if isinstance(draft, dict) else None
        if spec is None:  # the draft mark went with a later form: any form with answers
            spec = next(
                (
                    f
                    for f in forms().values()
                    if any(tracker.get_slot(s) not in (None, "") for s in f.slots)
                ),
                None,
            )
        if spec is None:
            dispatcher.utter_message(text=say("nothing_to_resume", lang))
            return []
        dispatcher.utter_message(text=say("resuming", lang, title=spec.title[lang]))
        return [SlotSet(STATUS_SLOT, None), ActiveLoop(spec.name)]
