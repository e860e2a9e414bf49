"""Case workflows: the statuses of a form's cases and the moves between them, declared as data.

`intents/forms/workflows/default.yml` is the workflow every form follows; a file
`intents/forms/workflows/<form>.yml` beside it changes what that form needs (its SLA, its team,
its notification templates, even statuses and transitions). The form's title comes from its
rules table (`intents/forms/<form>.yml`), and so do its fields' labels (and a choice's option
labels), which the back office shows beside the answers. Everything is checked on load: an
unknown status in a transition, a template without both languages or with an unknown
placeholder stops the gateway with a message naming the file.
"""

from __future__ import annotations

import functools
import os
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from bot.errors import ConfigError, Conflict
from bot.settings import PROJECT_ROOT

LANGS = ("en", "zh")
STATUS_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
PLACEHOLDERS = frozenset({"reference", "title", "status", "note"})


class WorkflowError(ConfigError):
    """A workflow file is malformed; the message names the file and the entry."""


class IllegalTransition(Conflict):
    """The workflow does not allow this move (HTTP 409)."""

    def __init__(self, form: str, current: str, wanted: str, allowed: tuple[str, ...]) -> None:
        moves = ", ".join(allowed) or "none: the case is closed"
        super().__init__(f"{form}: cannot go from {current} to {wanted} (allowed: {moves})")
        self.current = current
        self.wanted = wanted
        self.allowed = allowed


@dataclass(frozen=True)
class Template:
    text: Mapping[str, str]
    simple: Mapping[str, str]

    def render(self, lang: str, simple: bool, values: Mapping[str, str]) -> str:
        variants = self.simple if simple and self.simple else self.text
        return (variants.get(lang) or variants["en"]).format_map(dict(values))


@dataclass(frozen=True)
class Status:
    id: str
    label: Mapping[str, str]
    final: bool = False
    waits_for_citizen: bool = False


@dataclass(frozen=True)
class FormField:
    """A field of the form as people read it: its label and, for a choice, its options'."""

    label: Mapping[str, str]
    options: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Workflow:
    form: str
    title: Mapping[str, str]
    initial: str
    statuses: Mapping[str, Status]
    transitions: Mapping[str, tuple[str, ...]]
    notify: Mapping[str, Template]
    sla_hours: float
    team: str | None
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    fields: Mapping[str, FormField] = field(default_factory=dict)

    def status(self, status_id: str) -> Status:
        return self.statuses.get(status_id) or Status(status_id, {"en": status_id, "zh": status_id})

    def label(self, status_id: str, lang: str) -> str:
        label = self.status(status_id).label
        return label.get(lang) or label["en"]

    def check(self, current: str, wanted: str) -> None:
        """IllegalTransition unless the workflow allows current -> wanted (or it is a no-op)."""
        if wanted == current:
            return
        allowed = self.transitions.get(current, ())
        if wanted not in allowed:
            raise IllegalTransition(self.form, current, wanted, allowed)

    def waits(self, status_id: str) -> bool:
        return self.status(status_id).waits_for_citizen


def _bilingual(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or any(not isinstance(value.get(k), str) for k in LANGS):
        raise WorkflowError(f"{where}: needs an 'en' and a 'zh' text")
    return {k: str(value[k]) for k in LANGS}


def _template_text(value: Any, where: str) -> dict[str, str]:
    texts = _bilingual(value, where)
    for lang, text in texts.items():
        try:
            names = {name for _, name, _, _ in string.Formatter().parse(text) if name}
        except ValueError as exc:
            raise WorkflowError(f"{where} ({lang}): {exc}") from None
        unknown = names - PLACEHOLDERS
        if unknown:
            raise WorkflowError(
                f"{where} ({lang}): unknown placeholder(s) {sorted(unknown)}; "
                f"known: {sorted(PLACEHOLDERS)}"
            )
    return texts


def _fields(raw: Any) -> dict[str, FormField]:
    """The labels of a rules table's fields (the action server checks the rest of it); a
    field without both labels is left out (the back office then shows its name)."""
    found: dict[str, FormField] = {}
    for entry in raw if isinstance(raw, list) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("field"), str):
            continue
        label = entry.get("label")
        if not isinstance(label, dict) or not _has_both(label):
            continue
        params = entry["params"] if isinstance(entry.get("params"), dict) else {}
        options = {
            str(o["id"]): {k: str(o[k]) for k in LANGS}
            for o in (params.get("options") or [])
            if isinstance(o, dict) and "id" in o and _has_both(o)
        }
        found[entry["field"]] = FormField({k: str(label[k]) for k in LANGS}, options)
    return found


def _has_both(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(value.get(k), str) for k in LANGS)


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise WorkflowError(f"{path}: cannot read ({exc})") from exc
    if not isinstance(data, dict):
        raise WorkflowError(f"{path}: must be a mapping")
    return data


def build(
    form: str, title: Mapping[str, str], base: Mapping[str, Any], own: Mapping[str, Any], where: str
) -> Workflow:
    """The workflow of `form`: `base` (default.yml) with `own` (<form>.yml) laid over it."""
    raw_statuses = {**(base.get("statuses") or {}), **(own.get("statuses") or {})}
    statuses: dict[str, Status] = {}
    for status_id, raw in raw_statuses.items():
        if not isinstance(status_id, str) or not STATUS_ID.match(status_id):
            raise WorkflowError(f"{where}: status id {status_id!r} must be snake_case")
        if not isinstance(raw, dict):
            raise WorkflowError(f"{where}: status {status_id} must be a mapping")
        statuses[status_id] = Status(
            status_id,
            _bilingual(raw, f"{where} status {status_id}"),
            final=bool(raw.get("final", False)),
            waits_for_citizen=bool(raw.get("waits_for_citizen", False)),
        )
    initial = own.get("initial") or base.get("initial")
    if initial not in statuses:
        raise WorkflowError(f"{where}: the initial status {initial!r} is not a status")
    raw_moves = {**(base.get("transitions") or {}), **(own.get("transitions") or {})}
    transitions: dict[str, tuple[str, ...]] = {}
    for source, targets in raw_moves.items():
        if source not in statuses or not isinstance(targets, list):
            raise WorkflowError(f"{where}: transitions from {source!r}: unknown status or no list")
        for target in targets:
            if target not in statuses:
                raise WorkflowError(f"{where}: transition {source} -> {target}: unknown status")
        transitions[source] = tuple(targets)
    raw_notify = {**(base.get("notify") or {}), **(own.get("notify") or {})}
    notify: dict[str, Template] = {}
    for status_id, raw in raw_notify.items():
        if status_id not in statuses or not isinstance(raw, dict):
            raise WorkflowError(f"{where}: template for unknown status {status_id!r}")
        place = f"{where} template {status_id}"
        simple = _template_text(raw["simple"], place + " simple") if raw.get("simple") else {}
        notify[status_id] = Template(_template_text(raw, place), simple)
    sla = own.get("sla_hours", base.get("sla_hours", 40))
    if not isinstance(sla, int | float) or sla <= 0:
        raise WorkflowError(f"{where}: sla_hours must be a positive number")
    team = own.get("team", base.get("team"))
    return Workflow(
        form=form,
        title=dict(title),
        initial=str(initial),
        statuses=statuses,
        transitions=transitions,
        notify=notify,
        sla_hours=float(sla),
        team=str(team) if team else None,
    )


def forms_dir() -> Path:
    return Path(os.environ.get("CIVIC_FORMS_DIR") or PROJECT_ROOT / "intents" / "forms")


def _webhook(form: str, env: Mapping[str, str]) -> tuple[str | None, str | None]:
    name = form.upper()
    url = (env.get(f"CIVIC_WEBHOOK_URL_{name}") or "").strip() or None
    secret = (env.get(f"CIVIC_WEBHOOK_SECRET_{name}") or "").strip() or None
    if url is None:
        return None, None
    if not url.startswith(("http://", "https://")):
        raise ConfigError(f"CIVIC_WEBHOOK_URL_{name} must be an http(s) URL, got {url!r}")
    if secret is None or not secret.startswith("whsec_") or len(secret) < 30:
        raise ConfigError(
            f"CIVIC_WEBHOOK_SECRET_{name} must be set with the URL: 'whsec_' followed by "
            "base64 (at least 24 bytes); `civic department secret` makes one"
        )
    return url, secret


def load_workflows(directory: Path, env: Mapping[str, str] | None = None) -> dict[str, Workflow]:
    """Every form's workflow (one per rules table in `directory`)."""
    env = os.environ if env is None else env
    base_path = directory / "workflows" / "default.yml"
    base = _read(base_path)
    workflows: dict[str, Workflow] = {}
    for form_path in sorted(directory.glob("*.yml")):
        form = form_path.stem
        rules = _read(form_path)
        title = _bilingual(rules.get("title"), f"{form_path} title")
        own_path = directory / "workflows" / f"{form}.yml"
        own = _read(own_path) if own_path.exists() else {}
        where = str(own_path if own_path.exists() else base_path)
        workflow = build(form, title, base, own, where)
        url, secret = _webhook(form, env)
        workflows[form] = replace(
            workflow, webhook_url=url, webhook_secret=secret, fields=_fields(rules.get("fields"))
        )
    return workflows


@functools.cache
def workflows() -> dict[str, Workflow]:
    """This deployment's workflows, read once."""
    return load_workflows(forms_dir())


def workflow_for(form: str) -> Workflow:
    """The form's workflow; a form without a rules table follows default.yml."""
    found = workflows().get(form)
    if found is not None:
        return found
    base = _read(forms_dir() / "workflows" / "default.yml")
    return build(form, {"en": form, "zh": form}, base, {}, "default.yml")
