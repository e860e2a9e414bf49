"""Formats a guide as a chat answer: grounded in the guide, with its source and review date."""

from __future__ import annotations

from actions.forms.link import form_link
from actions.texts import say
from knowledge_base import Guide

# The section shown after the summary when the question matched it best.
_LEAD_SECTIONS = ("who", "documents", "steps", "fees", "time", "where")


def format_answer(guide: Guide, lang: str, best_section: str | None, simple: bool) -> str:
    """The answer text. Simplified mode gets the plain summary and the source only."""
    lines: list[str] = [guide.title]
    if simple:
        lines += [guide.simple]
    else:
        lines += [guide.summary]
        if best_section in _LEAD_SECTIONS and best_section not in ("steps", "documents"):
            lines += ["", guide.sections.get(best_section, "").strip()]
        lines += ["", f"{say('steps', lang)}:", guide.sections.get("steps", "").strip()]
        lines += ["", f"{say('documents', lang)}:", guide.sections.get("documents", "").strip()]
        lines += [
            "",
            f"{say('fee', lang)}: {guide.fee}",
            f"{say('time', lang)}: {guide.processing_time}",
            f"{say('where', lang)}: {guide.office}",
            f"{say('contact', lang)}: {guide.contact}",
        ]
    lines += [
        "",
        f"{say('source', lang)}: {guide.source_url} ({say('reviewed', lang)} {guide.reviewed})",
    ]
    if guide.lang != lang:
        lines += [say("only_other_language", lang)]
    return "\n".join(line for line in lines if line is not None).strip()


_ASPECT_LINE = {"fees": "fee", "time": "time", "where": "where"}


def format_section(guide: Guide, lang: str, section: str, simple: bool) -> str:
    """A follow-up's answer: the guide's title, the one section asked about, the source."""
    lines = [guide.title]
    key = _ASPECT_LINE.get(section)
    if key is not None:
        value = {"fee": guide.fee, "time": guide.processing_time, "where": guide.office}[key]
        lines += [f"{say(key, lang)}: {value}"]
    if not simple or key is None:
        lines += ["", guide.sections.get(section, "").strip()]
    lines += [
        "",
        f"{say('source', lang)}: {guide.source_url} ({say('reviewed', lang)} {guide.reviewed})",
    ]
    if guide.lang != lang:
        lines += [say("only_other_language", lang)]
    return "\n".join(lines).strip()


def answer_buttons(guide: Guide, lang: str, simple: bool) -> list[dict[str, str]]:
    """The guide's form (if any); in simplified mode also the way to the full guide."""
    buttons = form_link(guide, lang)
    if simple:
        payload = f'/ask_question{{"guide":"{guide.id}","detail":"full"}}'
        buttons = [*buttons, {"title": say("more", lang), "payload": payload}]
    return buttons
