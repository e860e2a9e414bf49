"""Every shipped guide as simplified mode shows it, in the guide's language and (for the
other-language note) the other one: every message at most 50 words / 80 characters with its
numbered choices, at most three messages, the person always offered."""

from __future__ import annotations

from pathlib import Path

import pytest

from actions.guide_format import answer_buttons, format_answer, format_section
from bot.messages import Button, OutgoingMessage
from bot.simple_mode.rules import MAX_MESSAGES, limit, simplify, size
from common.vocabulary import PERSON_PAYLOAD
from knowledge_base import Guide
from knowledge_base.guide import SECTION_KEYS, load_guides

GUIDES = load_guides(Path(__file__).resolve().parents[2] / "knowledge_base" / "guides")


def _rendered(text: str, buttons: list[dict[str, str]], lang: str) -> list[OutgoingMessage]:
    reply = OutgoingMessage(text, buttons=tuple(Button(b["title"], b["payload"]) for b in buttons))
    return simplify([reply], lang).messages


def _check(messages: list[OutgoingMessage], lang: str, where: str) -> list[str]:
    problems = [
        f"{where}: {size(m.text, lang)} > {limit(lang)}: {m.text!r}"
        for m in messages
        if size(m.text, lang) > limit(lang)
    ]
    if not 1 <= len(messages) <= MAX_MESSAGES:
        problems.append(f"{where}: {len(messages)} messages")
    elif messages[-1].buttons[-1].payload != PERSON_PAYLOAD:
        problems.append(f"{where}: no person offered")
    return problems


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_guide_in_simplified_mode_fits_each_message(lang: str) -> None:
    guides: list[Guide] = [g for g in GUIDES if g.lang == lang]
    assert len(guides) >= 40
    problems: list[str] = []
    for guide in guides:
        for asked in (lang, "zh" if lang == "en" else "en"):
            answer = format_answer(guide, asked, None, simple=True)
            buttons = answer_buttons(guide, asked, simple=True)
            problems += _check(_rendered(answer, buttons, asked), asked, f"{guide.id} summary")
        for section in SECTION_KEYS:  # a follow-up in simplified mode
            text = format_section(guide, lang, section, simple=True)
            messages = _rendered(text, answer_buttons(guide, lang, simple=True), lang)
            problems += _check(messages, lang, f"{guide.id} {section}")
    assert not problems, "\n" + "\n".join(problems)
