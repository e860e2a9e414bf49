"""One turn of a form, decided from data: what the citizen said, the answers so far and the
form's rules -> slots to set, messages to say, or 'not an answer, let the rules handle it'.

Pure: no Rasa, no I/O; the Rasa action in actions/forms/actions.py only translates. How the
message is read is in reading.py, changing an earlier answer in changes.py, the turn's values
in turn.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from actions.forms.changes import ask_which_change, changing
from actions.forms.reading import CASE_REF, CONTINUE, SURE, command, not_an_answer
from actions.forms.spec import CONFIRM_SLOT, FieldSpec, FormSpec
from actions.forms.summary import display, progress
from actions.forms.texts import TEXTS, say
from actions.forms.turn import (
    DRAFT_SLOT,
    FAILURES_SLOT,
    PROGRESS_SLOT,
    REQUESTED_SLOT,
    STATUS_SLOT,
    Message,
    Outcome,
    Turn,
    context,
    set_slot,
)
from actions.validators import EXTRACTORS, VALIDATORS, Valid
from actions.validators.choices import only_part_of_day, yes_no
from actions.validators.id_number import birth_date
from actions.validators.reasons import reason_text
from actions.validators.text import cannot_answer, is_skip
from common.vocabulary import is_restart

FREE_TEXT = frozenset({"text", "location", "name"})


def decide(spec: FormSpec, slots: Mapping[str, Any], turn: Turn) -> Outcome:
    requested = slots.get(REQUESTED_SLOT)
    out = Outcome()
    current = dict(slots)
    if turn.fresh and (requested is None or requested not in (*spec.slots, CONFIRM_SLOT)):
        if any(slots.get(s) is not None for s in spec.slots):
            title = spec.title[turn.lang]
            out.messages.append(Message(say("welcome_back", turn.lang, title=title)))
        set_slot(current, out, STATUS_SLOT, None)
        _prefill(spec, current, turn, out)
    elif turn.fresh:
        _handle_answer(spec, current, str(requested), turn, out)
        if out.reject or out.deactivate:
            return out
    if current.get(STATUS_SLOT) == "confirmed":
        out.slots[REQUESTED_SLOT] = None
        out.deactivate = True
        return out
    asked_again = out.slots.get(REQUESTED_SLOT)  # a changed answer's question
    _settle_conditions(spec, current, out)
    missing = [f for f in spec.fields if current.get(f.slot) is None]
    following = asked_again or (missing[0].slot if missing else CONFIRM_SLOT)
    out.slots[REQUESTED_SLOT] = following
    out.slots[PROGRESS_SLOT] = progress(spec, following, turn.lang, current)
    if (
        not isinstance(current.get(DRAFT_SLOT), dict)
        or current[DRAFT_SLOT].get("form") != spec.name
    ):
        out.slots[DRAFT_SLOT] = {"form": spec.name, "id": uuid.uuid4().hex}
    return out


def _settle_conditions(spec: FormSpec, current: dict[str, Any], out: Outcome) -> None:
    """A field asked only in some cases: "" (answered, nothing to ask) when it is not needed,
    asked again when it becomes needed."""
    for f in spec.fields:
        if f.ask_if is None:
            continue
        if not f.needed(current) and current.get(f.slot) is None:
            set_slot(current, out, f.slot, "")
        elif f.needed(current) and current.get(f.slot) == "" and not f.optional:
            set_slot(current, out, f.slot, None)


def _prefill(spec: FormSpec, current: dict[str, Any], turn: Turn, out: Outcome) -> None:
    """Runs the extractors over the activating message: never ask what was already said."""
    for f in spec.fields:
        if not f.prefill or current.get(f.slot) is not None:
            continue
        found = EXTRACTORS[f.validator](turn.text, f.params, context(spec, current, turn))
        if found is not None:
            set_slot(current, out, f.slot, found.value)
            _fill_from_id_number(spec, current, f, turn, out)


def _end(spec: FormSpec, current: dict[str, Any], out: Outcome, status: str, clear: bool) -> None:
    if clear:
        for slot in (*spec.slots, CONFIRM_SLOT):
            set_slot(current, out, slot, None)
    set_slot(current, out, STATUS_SLOT, status)
    out.slots[REQUESTED_SLOT] = None
    out.deactivate = True


def _handle_answer(
    spec: FormSpec, current: dict[str, Any], requested: str, turn: Turn, out: Outcome
) -> None:
    """The citizen's message while the form waits for `requested` (a field's slot, or the
    summary's confirmation): not for the form (start over, a case reference: the rules answer
    it), a command to the form (stop, pause, a person), a change of an earlier answer, or the
    answer itself."""
    text = turn.text.strip()
    if is_restart(text):
        out.reject = True
        return
    status = command(text, turn)
    if status is not None:
        _end(spec, current, out, status, clear=status == "cancelled")
        return
    if CASE_REF.search(text):
        out.reject = True
        return
    if CONTINUE.match(text):  # already in a form: carry on with it
        out.messages.append(Message(say("carrying_on", turn.lang, title=spec.title[turn.lang])))
        out.slots[REQUESTED_SLOT] = requested
        return
    if changing(spec, current, requested, text, turn, out):
        return
    if requested == CONFIRM_SLOT:
        _handle_confirm(spec, current, turn, out)
        return
    target = spec.field(requested)
    if target is None:
        out.reject = True
        return
    _answer(spec, current, target, text, turn, out)


def _handle_confirm(spec: FormSpec, current: dict[str, Any], turn: Turn, out: Outcome) -> None:
    answer = yes_no(turn.text)
    if answer is None and turn.intent in ("affirm", "deny") and turn.confidence >= SURE:
        answer = turn.intent == "affirm"
    if answer is True:
        set_slot(current, out, CONFIRM_SLOT, True)
        set_slot(current, out, STATUS_SLOT, "confirmed")
    elif answer is False:
        ask_which_change(spec, current, turn, out)
    elif not_an_answer(turn):
        out.reject = True
    else:
        set_slot(current, out, STATUS_SLOT, None)
        out.messages.append(Message(say("summary_unclear", turn.lang)))


def _answer(
    spec: FormSpec, current: dict[str, Any], target: FieldSpec, text: str, turn: Turn, out: Outcome
) -> None:
    if target.optional and is_skip(text) and target.validator != "photo":
        set_slot(current, out, target.slot, "")
        _failed(current, out, target, reset=True)
        return
    if target.params.get("by_part_of_day") and only_part_of_day(text):
        return  # 'afternoon': the question comes again with the afternoon slots only
    result = VALIDATORS[target.validator](text, target.params, context(spec, current, turn))
    if isinstance(result, Valid):
        if target.validator in FREE_TEXT and not_an_answer(turn, free_text=True):
            out.reject = True  # a question, not a description: the knowledge base answers it
        else:
            set_slot(current, out, target.slot, result.value)
            _failed(current, out, target, reset=True)
            shown = display(target, result.value, turn.lang)
            out.accepted = (target.label[turn.lang], shown)
            _fill_from_id_number(spec, current, target, turn, out)
        return
    shared = turn.metadata.get("photo") or turn.metadata.get("location")
    if not_an_answer(turn) and not shared and not cannot_answer(text):
        out.reject = True
        return
    out.messages.append(Message(reason_text(result.reason, turn.lang, result.details)))
    set_slot(current, out, target.slot, None)
    if _failed(current, out, target) >= 2 or cannot_answer(text):
        out.messages.append(_help(target, turn.lang))


def _failed(current: dict[str, Any], out: Outcome, target: FieldSpec, reset: bool = False) -> int:
    """Counts invalid answers to one question in a row; returns the count."""
    counts = current.get(FAILURES_SLOT)
    counts = dict(counts) if isinstance(counts, dict) else {}
    if reset:
        if counts:
            set_slot(current, out, FAILURES_SLOT, None)
        return 0
    counts = {target.slot: int(counts.get(target.slot) or 0) + 1}
    set_slot(current, out, FAILURES_SLOT, counts)
    return int(counts[target.slot])


def _help(target: FieldSpec, lang: str) -> Message:
    """After a second wrong answer: an example, what to do without it, and a person."""
    key = f"help_{target.validator}" if f"help_{target.validator}" in TEXTS else "help_text"
    person = {"title": say("talk_to_person", lang), "payload": "/request_human"}
    return Message(say(key, lang, label=target.label[lang]), (person,))


def _fill_from_id_number(
    spec: FormSpec, current: dict[str, Any], target: FieldSpec, turn: Turn, out: Outcome
) -> None:
    """An ID number holds the date of birth: never ask for it afterwards."""
    if target.validator != "id_number":
        return
    for f in spec.fields:
        if f.params.get("id_number_field") != target.name or current.get(f.slot) is not None:
            continue
        born = birth_date(str(current[target.slot]))
        if born is None:
            continue
        result = VALIDATORS[f.validator](born.isoformat(), f.params, context(spec, current, turn))
        if isinstance(result, Valid):
            set_slot(current, out, f.slot, result.value)
