"""The reply that leads with the part of a guide asked about, over every shipped guide."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from actions.part_reply import (
    MAX_EN_WORDS,
    MAX_SENTENCES,
    MAX_ZH_CHARS,
    format_part,
    parse_detail,
    part_buttons,
    part_text,
    split_part,
)
from actions.question_part import PARTS
from knowledge_base import Guide
from knowledge_base.guide import SECTION_KEYS, load_guides

GUIDES = load_guides(Path(__file__).resolve().parents[2] / "knowledge_base" / "guides")
_END = {"en": re.compile(r"[.!?](\s+[\"'(A-Z0-9]|$)"), "zh": re.compile(r"[。！？]")}


def _size(text: str, lang: str) -> int:
    return len(re.sub(r"\s", "", text)) if lang == "zh" else len(text.split())


def _sentences(text: str, lang: str) -> int:
    """Sentences of a part's text: list lines, and further sentence ends inside a line."""
    count = 0
    for line in text.splitlines():
        body = re.sub(r"^(-|\d+\.)\s+", "", line).strip()
        count += max(1, len(_END[lang].findall(body))) if body else 0
    return count


@pytest.mark.parametrize("guide", GUIDES, ids=lambda g: f"{g.lang}-{g.id}")
def test_every_part_of_every_guide_is_short_and_loses_nothing(guide: Guide) -> None:
    lang = guide.lang
    cap = MAX_ZH_CHARS if lang == "zh" else MAX_EN_WORDS
    for part in PARTS:
        text, more = format_part(guide, lang, part)
        lines = text.splitlines()
        assert lines[0] == guide.title
        head, rest = split_part(part_text(guide, part), lang)
        assert _size(head, lang) <= cap, (part, head)
        assert _sentences(head, lang) <= MAX_SENTENCES, (part, head)
        assert head in text and more == bool(rest)
        anchor = "where" if part == "contact" else part
        assert f"{guide.source_url}#{anchor} " in text and str(guide.reviewed) in text
        if more:  # the button shows the rest, and nothing of the part is lost
            rest_text, _ = format_part(guide, lang, part, rest=True)
            assert rest in rest_text
            strip = re.compile(r"\s|-|\d+\.")
            assert strip.sub("", head + rest) == strip.sub("", part_text(guide, part))


def test_buttons_offer_the_rest_the_other_parts_and_the_full_guide() -> None:
    guide = next(g for g in GUIDES if g.id == "passport" and g.lang == "en")
    text, more = format_part(guide, "en", "steps")
    assert more and text.startswith("Apply for or renew a passport")
    buttons = part_buttons(guide, "en", "steps", more)
    details = [re.search(r'"detail":"([^"]+)"', b["payload"]).group(1) for b in buttons]  # type: ignore[union-attr]
    assert details == ["steps:rest", *(k for k in SECTION_KEYS if k != "steps"), "full"]
    assert [parse_detail(d) for d in details[:2]] == [("steps", True), ("who", False)]
    assert parse_detail("full") is None and parse_detail("steps:bogus") is None


def test_a_long_first_sentence_shows_its_beginning() -> None:
    long = "- " + " ".join(["word"] * 120) + "."
    head, rest = split_part(long, "en")
    assert _size(head, "en") <= MAX_EN_WORDS and head.endswith("…") and rest
    head, rest = split_part("- " + "字" * 200 + "。", "zh")
    assert _size(head, "zh") <= MAX_ZH_CHARS and head.endswith("…") and rest


def test_a_guide_in_the_other_language_says_so() -> None:
    guide = next(g for g in GUIDES if g.id == "passport" and g.lang == "en")
    text, _ = format_part(guide, "zh", "fees")
    assert "该指南暂时只有英文版" in text
