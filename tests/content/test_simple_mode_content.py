"""Every text simplified mode can show is short, plain and readable.

Walks every response in the domain (its simplified-mode variant where one exists), every form
question, the gateway's and the actions' own texts and every guide's `simple` summary, and
lists each offender by file and key: too long, too hard (Flesch reading ease < 70 in English,
sentences over 30 characters in Chinese) or using an official term from the stop-list.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from actions.forms.texts import TEXTS as FORM_TEXTS
from actions.texts import TEXTS as ACTION_TEXTS
from actions.validators.reasons import REASONS
from bot.delivery.texts import TEXTS as CHANNEL_TEXTS
from bot.handoff.texts import TEXTS as HANDOFF_TEXTS
from bot.messages import Button, OutgoingMessage
from bot.simple_mode.plain_language import jargon_in
from bot.simple_mode.readability import too_complex
from bot.simple_mode.rules import MAX_EN_WORDS, MAX_ZH_CHARS, simplify, size
from bot.texts import TEXTS as GATEWAY_TEXTS

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = ROOT / "intents" / "domain"
GUIDES = ROOT / "knowledge_base" / "guides"
# Texts that are labels or data, not sentences to read (checked for length only).
LABELS = {
    "steps",
    "documents",
    "fee",
    "time",
    "where",
    "contact",
    "source",
    "reviewed",
    "more",
    "talk_to_person",
    "none_of_these",
    "cancel_waiting",
    "simple_mode_button",
}


def _condition(variant: dict[str, Any]) -> dict[str, Any]:
    return {
        c["name"]: c["value"] for c in variant.get("condition") or [] if c.get("type") == "slot"
    }


def simple_variant(variants: list[dict[str, Any]], lang: str) -> dict[str, Any] | None:
    """The variant Rasa picks for a citizen in simplified mode speaking `lang`."""

    def score(v: dict[str, Any]) -> int:
        c = _condition(v)
        if c.get("lang", lang) != lang or c.get("simple_mode", True) is not True:
            return -1
        return len(c)

    ranked = sorted(variants, key=score, reverse=True)
    return ranked[0] if ranked and score(ranked[0]) >= 0 else None


def domain_texts() -> Iterator[tuple[str, str, str]]:
    for path in sorted(DOMAIN.rglob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key, variants in (data.get("responses") or {}).items():
            for lang in ("en", "zh"):
                variant = simple_variant(variants, lang)
                if variant and variant.get("text"):
                    yield f"{path.relative_to(ROOT)}:{key}", lang, variant["text"]


def catalogue_texts() -> Iterator[tuple[str, str, str]]:
    catalogues = (
        ("bot/texts.py", GATEWAY_TEXTS),
        ("bot/handoff/texts.py", HANDOFF_TEXTS),
        ("bot/delivery/texts.py", CHANNEL_TEXTS),
        ("actions/texts.py", ACTION_TEXTS),
        ("actions/forms/texts.py", FORM_TEXTS),
        ("actions/validators/reasons.py", REASONS),
    )
    for name, catalogue in catalogues:
        for key, variants in catalogue.items():
            for lang, text in variants.items():
                yield f"{name}:{key}", lang, text.replace("{", "").replace("}", "")


def guide_texts() -> Iterator[tuple[str, str, str]]:
    for path in sorted(GUIDES.glob("*/*.md")):
        front = path.read_text(encoding="utf-8").split("---", 2)[1]
        simple = yaml.safe_load(front).get("simple", "")
        yield f"{path.relative_to(ROOT)}:simple", path.parent.name, simple


def offences(where: str, lang: str, text: str) -> list[str]:
    problems = []
    cap = MAX_ZH_CHARS if lang == "zh" else MAX_EN_WORDS
    if size(text, lang) > cap:
        problems.append(
            f"{size(text, lang)} {'characters' if lang == 'zh' else 'words'} (max {cap})"
        )
    if where.rsplit(":", 1)[-1] not in LABELS:
        hard = too_complex(text, lang)
        if hard:
            problems.append(hard)
        terms = jargon_in(text, lang)
        if terms:
            problems.append(f"official terms {terms}")
    return [f"{where} [{lang}]: {p}" for p in problems]


def test_every_simplified_text_is_short_plain_and_readable() -> None:
    found = [*domain_texts(), *catalogue_texts(), *guide_texts()]
    assert len(found) > 150, "the walk must see the domain, the catalogues and the guides"
    problems = [p for where, lang, text in found for p in offences(where, lang, text)]
    assert not problems, "\n" + "\n".join(problems)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_rendered_choice_is_numbered_and_a_person_is_offered(lang: str) -> None:
    for where, text_lang, text in domain_texts():
        if text_lang != lang:
            continue
        turn = simplify([OutgoingMessage(text, buttons=(Button("Yes", "/affirm"),))], lang)
        last = turn.messages[-1]
        assert last.buttons[-1].payload == "/request_human", where
        assert all(b.title[0].isdigit() for b in last.buttons), where
        assert len(turn.messages) <= 3, where
