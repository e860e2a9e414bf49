"""action_answer_from_guides with a stand-in search: which reply a question gets (the search
itself is tested in tests/knowledge_base)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import answer
from knowledge_base import Guide, SearchResult
from knowledge_base.guide import load_guides
from knowledge_base.knowledge_base import Hit

GUIDES = {
    (g.id, g.lang): g
    for g in load_guides(Path(__file__).resolve().parents[2] / "knowledge_base" / "guides")
}


class OneGuide:
    """A knowledge base whose search always answers with the passport guide."""

    def guide(self, guide_id: str, lang: str) -> Guide | None:
        return GUIDES.get((guide_id, lang))

    def guides(self, lang: str) -> list[Guide]:
        return [g for (_, guide_lang), g in GUIDES.items() if guide_lang == lang]

    def search(self, text: str, lang: str | None = None, top_k: int = 5) -> SearchResult:
        hit = Hit("passport", lang or "en", "Passport", 1.0, "summary", "")
        return SearchResult("answer", (hit,), lang or "en", 1.0)


@pytest.fixture(autouse=True)
def _one_guide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(answer, "knowledge_base", OneGuide)


def _run(text: str, lang: str = "en", entities: list[dict[str, str]] | None = None) -> list[Any]:
    tracker = Tracker(
        "citizen",
        {"lang": lang, "simple_mode": False, "last_topic": None},
        {"text": text, "entities": entities or [], "intent": {"name": "ask_question"}},
        [],
        False,
        None,
        {},
        None,
    )
    dispatcher = CollectingDispatcher()
    asyncio.run(answer.ActionAnswerFromGuides().run(dispatcher, tracker, {}))
    return [m for m in dispatcher.messages if m.get("text")]


def test_a_question_about_one_part_gets_that_part_first() -> None:
    [reply] = _run("what documents do I need for a passport")
    lines = reply["text"].splitlines()
    assert lines[:2] == ["Apply for or renew a passport and travel permits", "Documents:"]
    assert "passport#documents (reviewed on 2026-08-20)" in reply["text"]
    assert "Steps:" not in reply["text"]  # not the whole guide
    titles = [b["title"] for b in reply["buttons"]]
    assert titles == [
        "Show the rest",
        "Who can apply",
        "Steps",
        "Fees",
        "Time",
        "Where",
        "Full guide",
    ]


def test_a_general_question_keeps_the_full_guide() -> None:
    [reply] = _run("passport")
    assert "Steps:" in reply["text"] and "Documents:" in reply["text"]
    assert "#" not in reply["text"].split("Source: ")[1]


def test_a_part_button_and_the_rest_of_a_part() -> None:
    [fees] = _run("/ask_question", "zh", [{"entity": "guide", "value": "passport"},
                                          {"entity": "detail", "value": "fees"}])  # fmt: skip
    assert fees["text"].splitlines()[1] == "费用:" and "120" in fees["text"]
    entities = [
        {"entity": "guide", "value": "passport"},
        {"entity": "detail", "value": "steps:rest"},
    ]
    [rest] = _run("/ask_question", "en", entities)
    assert "Steps (continued):" in rest["text"] and "pick-up machine" in rest["text"]
    assert "Show the rest" not in [b["title"] for b in rest["buttons"]]
