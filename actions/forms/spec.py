"""Reads the forms' rules tables (intents/forms/<form>.yml) into typed specs, checked on load."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from actions.settings import current
from actions.validators import EXTRACTORS, VALIDATORS
from common.errors import ConfigError

CONFIRM_SLOT = "form_confirm"
LANGS = ("en", "zh")


class FormSpecError(ConfigError):
    """A rules table is malformed; the message names the file and the field."""


@dataclass(frozen=True)
class FieldSpec:
    name: str
    slot: str
    label: Mapping[str, str]
    aliases: tuple[str, ...]
    validator: str
    params: Mapping[str, Any]
    prefill: bool = False
    optional: bool = False
    # asked only when another field has this value: ("collection", "post")
    ask_if: tuple[str, Any] | None = None

    def needed(self, answers: Mapping[str, Any]) -> bool:
        """Whether this field is asked, given the answers by slot."""
        if self.ask_if is None:
            return True
        other, value = self.ask_if
        return bool(answers.get(other) == value)

    def option(self, option_id: Any) -> Mapping[str, Any] | None:
        for option in self.params.get("options") or ():
            if option["id"] == option_id:
                return dict(option)
        return None


@dataclass(frozen=True)
class FormSpec:
    name: str
    start_intent: str
    title: Mapping[str, str]
    fields: tuple[FieldSpec, ...]

    @property
    def slots(self) -> tuple[str, ...]:
        return tuple(f.slot for f in self.fields)

    def field(self, slot_or_name: str) -> FieldSpec | None:
        return next((f for f in self.fields if slot_or_name in (f.slot, f.name)), None)


def _bilingual(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or any(not isinstance(value.get(k), str) for k in LANGS):
        raise FormSpecError(f"{where}: needs an 'en' and a 'zh' text")
    return {k: str(value[k]) for k in LANGS}


def _field(form: str, raw: Any, where: str) -> FieldSpec:
    if not isinstance(raw, dict) or not isinstance(raw.get("field"), str):
        raise FormSpecError(f"{where}: every field needs a 'field' name")
    name = raw["field"]
    where = f"{where} field {name!r}"
    validator = raw.get("validator")
    if validator not in VALIDATORS:
        raise FormSpecError(
            f"{where}: unknown validator {validator!r} (known: {sorted(VALIDATORS)})"
        )
    prefill = bool(raw.get("prefill", False))
    if prefill and validator not in EXTRACTORS:
        raise FormSpecError(f"{where}: validator {validator!r} cannot pre-fill")
    params = raw.get("params") or {}
    if not isinstance(params, dict):
        raise FormSpecError(f"{where}: params must be a mapping")
    if validator == "choice":
        options = params.get("options")
        if not isinstance(options, list) or not options:
            raise FormSpecError(f"{where}: a choice needs options")
        for option in options:
            if not isinstance(option, dict) or "id" not in option:
                raise FormSpecError(f"{where}: every option needs an id")
            _bilingual(option, f"{where} option {option['id']!r}")
    aliases = tuple(str(a) for a in raw.get("aliases") or ())
    ask_if = raw.get("ask_if")
    if ask_if is not None and (not isinstance(ask_if, dict) or set(ask_if) != {"field", "equals"}):
        raise FormSpecError(f"{where}: ask_if needs 'field' and 'equals'")
    return FieldSpec(
        name=name,
        slot=f"{form}_{name}",
        label=_bilingual(raw.get("label"), where + " label"),
        aliases=aliases,
        validator=validator,
        params=params,
        prefill=prefill,
        optional=bool(raw.get("optional", False)),
        ask_if=(f"{form}_{ask_if['field']}", ask_if["equals"]) if ask_if else None,
    )


def load_form(path: Path) -> FormSpec:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise FormSpecError(f"{path}: cannot read ({exc})") from exc
    if not isinstance(data, dict) or data.get("form") != path.stem:
        raise FormSpecError(f"{path}: 'form' must be {path.stem!r}")
    fields = data.get("fields")
    if not isinstance(fields, list) or not fields:
        raise FormSpecError(f"{path}: needs a list of fields")
    specs = tuple(_field(path.stem, raw, str(path)) for raw in fields)
    if len({f.name for f in specs}) != len(specs):
        raise FormSpecError(f"{path}: field names must be unique")
    for f in specs:
        if f.ask_if is not None and f.ask_if[0] not in {g.slot for g in specs}:
            raise FormSpecError(f"{path} field {f.name!r}: ask_if names an unknown field")
    if not isinstance(data.get("start_intent"), str):
        raise FormSpecError(f"{path}: needs a start_intent")
    return FormSpec(
        name=path.stem,
        start_intent=data["start_intent"],
        title=_bilingual(data.get("title"), f"{path} title"),
        fields=specs,
    )


def load_forms(directory: Path) -> dict[str, FormSpec]:
    return {p.stem: load_form(p) for p in sorted(directory.glob("*.yml"))}


@functools.cache
def forms() -> dict[str, FormSpec]:
    """Every form of this deployment (the action server's CIVIC_FORMS_DIR), read once."""
    return load_forms(current().forms_dir)
