"""The Rasa side of the forms: one generic validation action per form (made from its rules
table), the summary question, the end of a form (submit, cancel, pause) and resuming a draft."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.cases_client import CasesClient, CasesUnavailable
from actions.forms.clock import today
from actions.forms.engine import (
    DRAFT_SLOT,
    PROGRESS_SLOT,
    REQUESTED_SLOT,
    STATUS_SLOT,
    Turn,
    decide,
)
from actions.forms.spec import CONFIRM_SLOT, FormSpec, forms
from actions.forms.summary import answers_for_case, summary_buttons, summary_text
from actions.forms.texts import say

log = logging.getLogger(__name__)
_SKIPPED_EVENTS = frozenset({"slot", "active_loop", "bot", "loop_interrupted"})


def citizen_lang(tracker: Tracker) -> str:
    lang = tracker.get_slot("lang")
    return lang if lang in ("en", "zh") else "en"


def is_fresh_message(tracker: Tracker) -> bool:
    """True when the citizen's latest message has not been handled by another action yet.

    Rasa hands the form's validation action a tracker ending in the form's own action event;
    before it is either the citizen's message (a new answer) or another action (the form is
    coming back after an interruption, or was resumed).
    """
    seen_own = False
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            return True
        if kind == "action":
            if event.get("name") == "action_listen":
                return False
            if not seen_own:
                seen_own = True
                continue
            return False
    return False


def turn_from(tracker: Tracker) -> Turn:
    latest = tracker.latest_message or {}
    intent = latest.get("intent") or {}
    metadata = latest.get("metadata")
    return Turn(
        text=str(latest.get("text") or ""),
        fresh=is_fresh_message(tracker),
        lang=citizen_lang(tracker),
        today=today(),
        intent=intent.get("name"),
        confidence=float(intent.get("confidence") or 0.0),
        metadata=metadata if isinstance(metadata, dict) else {},
    )


class FormValidator(Action, ABC):
    """`validate_<form>`: runs before every question of the form; see actions.forms.engine."""

    @property
    @abstractmethod
    def spec(self) -> FormSpec: ...

    def name(self) -> str:
        return f"validate_{self.spec.name}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        outcome = decide(self.spec, tracker.slots, turn_from(tracker))
        if outcome.reject:
            return []  # Rasa rejects the form; a rule answers; the form then asks again
        for message in outcome.messages:
            dispatcher.utter_message(text=message.text, buttons=[dict(b) for b in message.buttons])
        if outcome.accepted is not None:
            label, shown = outcome.accepted
            dispatcher.utter_message(json_message={"accepted": {"field": label, "value": shown}})
        return [SlotSet(slot, value) for slot, value in outcome.slots.items()]


def validator_for(spec: FormSpec) -> Action:
    """The validation action of one form (registered by actions.server for every form)."""
    cls = type(f"Validate_{spec.name}", (FormValidator,), {"spec": spec})
    action: Action = cls()
    return action


def form_validators() -> list[Action]:
    return [validator_for(spec) for spec in forms().values()]


def _active_spec(tracker: Tracker) -> FormSpec | None:
    name = (tracker.active_loop or {}).get("name")
    draft = tracker.get_slot(DRAFT_SLOT)
    if not name and isinstance(draft, dict):
        name = draft.get("form")
    return forms().get(str(name)) if name else None


class ActionAskFormConfirm(Action):
    """Asks for `form_confirm` in every form: the summary with confirm / change / cancel."""

    def name(self) -> str:
        return "action_ask_form_confirm"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        spec = _active_spec(tracker)
        if spec is None:
            return []
        lang = citizen_lang(tracker)
        if tracker.get_slot(STATUS_SLOT) == "choosing":
            return []  # the validator has just asked which answer to change
        dispatcher.utter_message(
            text=summary_text(spec, tracker.slots, lang), buttons=summary_buttons(lang)
        )
        return []


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
        spec = _active_spec(tracker)
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
            case = await CasesClient.from_env().submit(
                tracker.sender_id,
                spec.name,
                answers_for_case(spec, tracker.slots),
                str(channel),
                lang,
                str(key or ""),
            )
        except CasesUnavailable as exc:
            log.warning("submitting form %s failed: %s", spec.name, exc)
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
        if spec is None:
            dispatcher.utter_message(text=say("nothing_to_resume", lang))
            return []
        dispatcher.utter_message(text=say("resuming", lang, title=spec.title[lang]))
        return [SlotSet(STATUS_SLOT, None), ActiveLoop(spec.name)]
