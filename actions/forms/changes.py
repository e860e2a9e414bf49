"""Changing an earlier answer of a form: 'change my phone to 13812345678', 'change phone', or
at the summary naming the field (or its value) to correct, or choosing it from a list."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from actions.forms.reading import CHANGE, CORRECTION
from actions.forms.spec import CONFIRM_SLOT, FieldSpec, FormSpec
from actions.forms.summary import change_buttons
from actions.forms.texts import say
from actions.forms.turn import (
    REQUESTED_SLOT,
    STATUS_SLOT,
    Message,
    Outcome,
    Turn,
    context,
    set_slot,
)
from actions.validators import VALIDATORS, Valid
from actions.validators.choices import yes_no


def changing(
    spec: FormSpec, current: dict[str, Any], requested: str, text: str, turn: Turn, out: Outcome
) -> bool:
    """'change my phone to ...' (or, at the summary, choosing what to change): handled here
    when it names a field, or asks which one at the summary. False: not a change."""
    change = CHANGE.match(text)
    at_summary = requested == CONFIRM_SLOT
    choosing = at_summary and current.get(STATUS_SLOT) == "choosing"
    if at_summary and not change:
        named = _field_named(spec, text) if CORRECTION.search(text) else None
        named = named or _field_with_value(spec, current, text)
        if named is not None:  # '宝宝名字写错了，要改', or the value itself: '张小明'
            _change(spec, current, named, "", turn, out)
            return True
    if not (change or choosing):
        return False
    rest = (change.group(1) or change.group(2) or "") if change else text
    target = _field_named(spec, rest)
    if target is not None and (at_summary or len(text) <= 40):
        _change(spec, current, target, rest, turn, out)
        return True
    if at_summary and (change or (_field_named(spec, text) is None and yes_no(text) is None)):
        ask_which_change(spec, current, turn, out)
        return True
    return False


def ask_which_change(spec: FormSpec, current: dict[str, Any], turn: Turn, out: Outcome) -> None:
    """At the summary: which answer to change, one button per answer; the summary waits."""
    set_slot(current, out, STATUS_SLOT, "choosing")
    buttons = tuple(change_buttons(spec, turn.lang, current))
    out.messages.append(Message(say("which_change", turn.lang), buttons))
    out.slots[REQUESTED_SLOT] = CONFIRM_SLOT


def _field_named(spec: FormSpec, text: str) -> FieldSpec | None:
    plain = text.casefold()
    best: tuple[int, FieldSpec] | None = None
    for f in spec.fields:
        names = (*f.aliases, f.label["en"], f.label["zh"], f.name, f.name.replace("_", " "))
        for name in names:
            n = name.casefold()
            if n and n in plain and (best is None or len(n) > best[0]):
                best = (len(n), f)
    if best is None:
        number = re.fullmatch(r"\s*(\d{1,2})\s*", text)
        if number and 1 <= int(number.group(1)) <= len(spec.fields):
            return spec.fields[int(number.group(1)) - 1]
    return best[1] if best else None


def _field_with_value(spec: FormSpec, current: Mapping[str, Any], text: str) -> FieldSpec | None:
    """The field whose current answer is this text ('张小明' at the summary)."""
    plain = text.strip().casefold()
    if len(plain) < 2:
        return None
    found = [
        f
        for f in spec.fields
        if isinstance(current.get(f.slot), str) and current[f.slot].casefold() == plain
    ]
    return found[0] if len(found) == 1 else None


def _change(
    spec: FormSpec, current: dict[str, Any], target: FieldSpec, rest: str, turn: Turn, out: Outcome
) -> None:
    """'change my phone to 13812345678' sets it; 'change phone' asks the question again."""
    set_slot(current, out, CONFIRM_SLOT, None)
    set_slot(current, out, STATUS_SLOT, None)
    new_value = re.split(r"\bto\b|为|成|改为|改成", rest, maxsplit=1)
    if len(new_value) == 2 and new_value[1].strip():
        result = VALIDATORS[target.validator](
            new_value[1].strip(), target.params, context(spec, current, turn)
        )
        if isinstance(result, Valid):
            set_slot(current, out, target.slot, result.value)
            return
    set_slot(current, out, target.slot, None)
    out.slots[REQUESTED_SLOT] = target.slot
