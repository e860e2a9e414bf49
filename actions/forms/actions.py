"""The Rasa side of a form's questions: one generic validation action per form (made from its
rules table), the time questions that listen to 'afternoon', and the summary question. The end
of a form and resuming a draft are in finish.py."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.forms.engine import decide
from actions.forms.marks import form_marks
from actions.forms.spec import FormSpec, forms
from actions.forms.summary import summary_buttons, summary_text
from actions.forms.tracker import active_spec, citizen_lang, form_messages, turn_from
from actions.forms.turn import PROGRESS_SLOT, STATUS_SLOT
from actions.validators.choices import part_of_day


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
        spec = active_spec(tracker)
        field = spec.field(self.slot) if spec else None
        part = part_of_day(form_messages(tracker))
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


class ActionAskFormConfirm(Action):
    """Asks for `form_confirm` in every form: the summary with confirm / change / cancel."""

    def name(self) -> str:
        return "action_ask_form_confirm"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        spec = active_spec(tracker)
        if spec is None:
            return []
        lang = citizen_lang(tracker)
        if tracker.get_slot(STATUS_SLOT) == "choosing":
            return []  # the validator has just asked which answer to change
        dispatcher.utter_message(
            text=summary_text(spec, tracker.slots, lang), buttons=summary_buttons(lang)
        )
        return []
