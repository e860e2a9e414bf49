"""The Rasa side of the forms: one generic validation action per form (made from its rules
table), the summary question, the end of a form (submit, cancel, pause) and resuming a draft."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.cases_client import CasesUnavailable, cases_client
from actions.forms.clock import today
from actions.forms.engine import (
    DRAFT_SLOT,
    PROGRESS_SLOT,
    REQUESTED_SLOT,
    STATUS_SLOT,
    Outcome,
    Turn,
    decide,
)
from actions.forms.spec import CONFIRM_SLOT, FormSpec, forms
from actions.forms.summary import answers_for_case, summary_buttons, summary_text
from actions.forms.texts import say
from actions.validators.choices import part_of_day

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
        turn = turn_from(tracker)
        outcome = decide(self.spec, tracker.slots, turn)
        if outcome.reject:
            return []  # Rasa rejects the form; a rule answers; the form then asks again
        for message in outcome.messages:
            dispatcher.utter_message(text=message.text, buttons=[dict(b) for b in message.buttons])
        if outcome.accepted is not None:
            label, shown = outcome.accepted
            dispatcher.utter_message(json_message={"accepted": {"field": label, "value": shown}})
        for mark in form_marks(self.spec, tracker.slots, turn.fresh, outcome):
            dispatcher.utter_message(json_message={"outcome": mark})
        return [SlotSet(slot, value) for slot, value in outcome.slots.items()]


_ENDS = {"cancelled": "form_cancelled", "paused": "form_paused", "handoff": "form_handoff"}


def form_marks(
    spec: FormSpec, slots: dict[str, Any], fresh: bool, outcome: Outcome
) -> list[dict[str, Any]]:
    """What this validation came to, for the gateway's insights (control-only replies it
    drops): the form started or resumed, an answer refused, the form ended early, the next
    question asked (`form_step`, step 1..n) or the summary shown. Steps are 1-based positions
    in the rules table; the summary is step n + 1."""
    requested = slots.get(REQUESTED_SLOT)
    fields = list(spec.slots)
    marks: list[dict[str, Any]] = []

    def step(slot: Any) -> int:
        return fields.index(slot) + 1 if slot in fields else len(fields) + 1

    def field(slot: Any) -> str:
        return str(slot)[len(spec.name) + 1 :] if slot in fields else "summary"

    started = fresh and requested not in (*fields, CONFIRM_SLOT)
    if started:
        draft = slots.get(DRAFT_SLOT)
        resumed = isinstance(draft, dict) and draft.get("form") == spec.name
        marks.append({"kind": "form_resumed" if resumed else "form_started", "form": spec.name})
    status = outcome.slots.get(STATUS_SLOT)
    if status in _ENDS:
        at = {"form": spec.name, "field": field(requested), "step": step(requested)}
        return [*marks, {"kind": _ENDS[status], **at}]
    following = outcome.slots.get(REQUESTED_SLOT)
    refused = (
        fresh
        and not started
        and requested in fields
        and requested in outcome.slots
        and outcome.slots[requested] is None
        and following == requested
        and bool(outcome.messages)
    )
    if refused:
        marks.append(
            {"kind": "form_invalid", "form": spec.name, "field": field(requested),
             "step": step(requested)}
        )  # fmt: skip
    if following is not None and (started or following != requested):
        kind = "form_summary" if following == CONFIRM_SLOT else "form_step"
        marks.append(
            {"kind": kind, "form": spec.name, "field": field(following), "step": step(following)}
        )
    return marks


def validator_for(spec: FormSpec) -> Action:
    """The validation action of one form (registered by actions.server for every form)."""
    cls = type(f"Validate_{spec.name}", (FormValidator,), {"spec": spec})
    action: Action = cls()
    return action


def form_validators() -> list[Action]:
    """Every form's validation action, and the time questions that listen to 'afternoon'."""
    actions = [validator_for(spec) for spec in forms().values()]
    for spec in forms().values():
        for f in spec.fields:
            if f.params.get("by_part_of_day"):
                name = f"action_ask_{f.slot}"
                cls = type(f"Ask_{f.slot}", (AskByPartOfDay,), {"slot": f.slot, "action": name})
                actions.append(cls())
    return actions


class AskByPartOfDay(Action):
    """`action_ask_<form>_<field>` for a time-slot question: the domain's question, with only
    the morning or the afternoon slots when the citizen already said which ('明天上午',
    'afternoon')."""

    slot = ""
    action = ""

    def name(self) -> str:
        return self.action

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        lang = citizen_lang(tracker)
        variants = (domain.get("responses") or {}).get(f"utter_ask_{self.slot}") or []
        chosen = _variant(variants, lang)
        text = str(chosen.get("text") or "").replace(
            "{form_progress}", str(tracker.get_slot(PROGRESS_SLOT) or "")
        )
        buttons = [dict(b) for b in chosen.get("buttons") or []]
        spec = _active_spec(tracker)
        field = spec.field(self.slot) if spec else None
        part = part_of_day(_form_messages(tracker))
        if field is not None and part is not None:
            options = list(field.params.get("options") or ())
            keep = {
                str(i)
                for i, option in enumerate(options, 1)
                if (int(str(option["id"])[:2]) < 12) == (part == "morning")
            }
            buttons = [b for b in buttons if str(b.get("payload")) in keep] or buttons
        dispatcher.utter_message(text=text, buttons=buttons)
        return []


def _variant(variants: list[dict[str, Any]], lang: str) -> dict[str, Any]:
    for variant in variants:
        conditions = variant.get("condition") or []
        if all(c.get("name") == "lang" and c.get("value") == lang for c in conditions) and (
            conditions
        ):
            return variant
    return next((v for v in variants if not v.get("condition")), variants[0] if variants else {})


def _form_messages(tracker: Tracker) -> list[str]:
    """What the citizen wrote since the active form started (the first message included)."""
    texts: list[str] = []
    name = (tracker.active_loop or {}).get("name")
    started = False
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            texts.append(str(event.get("text") or ""))
            if started:
                break
        elif kind == "active_loop" and event.get("name") == name:
            started = True
    return list(reversed(texts))


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
