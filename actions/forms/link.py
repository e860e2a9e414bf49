"""A guide that names a form (front matter `form:`) gets a button that starts it."""

from __future__ import annotations

from actions.forms.spec import forms
from knowledge_base import Guide

_START = {"en": "Start: {title}", "zh": "开始办理：{title}"}


def form_link(guide: Guide, lang: str) -> list[dict[str, str]]:
    spec = forms().get(guide.form or "")
    if spec is None:
        return []
    title = spec.title[lang]
    label = _START.get(lang, _START["en"]).format(title=title[:1].upper() + title[1:])
    return [{"title": label, "payload": f"/{spec.start_intent}"}]
