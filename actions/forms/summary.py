"""How answers are shown back to the citizen: one value, the progress line, the summary."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from actions.forms.spec import FieldSpec, FormSpec
from actions.forms.texts import say
from actions.validators.choices import option_label

_WEEKDAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "zh": ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"),
}


def display(field: FieldSpec, value: Any, lang: str) -> str:
    if value is None or value == "":
        return say("none", lang)
    if field.validator == "choice":
        option = field.option(value)
        return option_label(option, lang) if option else str(value)
    if field.validator == "yes_no":
        return say("yes" if value else "no", lang)
    if field.validator == "location" and isinstance(value, dict):
        return f"{value.get('lat')}, {value.get('lon')} ({say('shared_location', lang)})"
    if field.validator == "photo":
        return say("photo_attached", lang)
    if field.validator == "date" and isinstance(value, str):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return value
        return f"{value} ({_WEEKDAYS.get(lang, _WEEKDAYS['en'])[day.weekday()]})"
    return str(value)


def progress(
    spec: FormSpec, slot: str, lang: str, answers: Mapping[str, Any] | None = None
) -> str:
    """'Step 2 of 5:' counting only the questions asked with these answers (a postal address
    only when the booklet page is to be posted)."""
    field = spec.field(slot)
    if field is None:
        return say("summary_progress", lang)
    asked = [f for f in spec.fields if f is field or f.needed(answers or {})]
    return say("progress", lang, step=asked.index(field) + 1, total=len(asked))


def summary_text(spec: FormSpec, slots: Mapping[str, Any], lang: str) -> str:
    lines = [say("summary_progress", lang), say("summary_title", lang, title=spec.title[lang])]
    for field in spec.fields:
        if not field.needed(slots):
            continue
        lines.append(f"• {field.label[lang]}: {display(field, slots.get(field.slot), lang)}")
    lines.append("")
    lines.append(say("summary_hint", lang))
    return "\n".join(lines)


def summary_buttons(lang: str) -> list[dict[str, str]]:
    return [
        {"title": say(key, lang), "payload": say(key, lang)}
        for key in ("confirm", "change", "cancel")
    ]


def change_buttons(
    spec: FormSpec, lang: str, slots: Mapping[str, Any] | None = None
) -> list[dict[str, str]]:
    slots = slots if slots is not None else {}
    change = say("change", lang)
    sep = " " if lang == "en" else ""
    buttons = [
        {"title": field.label[lang], "payload": f"{change}{sep}{field.label[lang]}"}
        for field in spec.fields
        if field.needed(slots)
    ]
    return [*buttons, {"title": say("cancel", lang), "payload": say("cancel", lang)}]


def answers_for_case(spec: FormSpec, slots: Mapping[str, Any]) -> dict[str, Any]:
    """The answers as sent to the cases API: field name -> stored value."""
    return {
        field.name: slots.get(field.slot) if field.needed(slots) else None for field in spec.fields
    }
