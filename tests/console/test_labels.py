"""Transcript lines as the agent reads them: button presses in words, and the citizen's last
real question (what the guide suggestions are computed from)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from console.labels import Wording, is_real_question, label, last_question, wording


@dataclass(frozen=True)
class L:
    sender: str
    text: str
    ticket_id: int | None = None


def test_payloads_become_words_and_typed_text_stays_as_typed() -> None:
    assert label("citizen", "/request_human") == "asked for a person"
    assert label("citizen", "/simple_mode_on") == "turned simplified mode on"
    assert label("citizen", '/ask_question{"guide":"passport"}') == "chose the guide “passport”"
    assert label("citizen", "/rate 4") is None  # not a payload the console knows: as typed
    assert label("citizen", "/some_new_button") == "pressed “some new button”"
    assert label("citizen", "How do I renew my passport?") is None
    assert label("citizen", "/ is a slash") is None
    assert label("bot", "/request_human") is None  # only the citizen's button presses


def test_button_presses_as_catalogue_words() -> None:
    """The same labels as keys of the console's catalogues (payload.*), for Chinese agents."""
    assert wording("citizen", "/request_human") == Wording(key="payload.request_human")
    assert wording("citizen", '/ask_question{"guide":"passport"}') == Wording(
        key="payload.guide", values={"guide": "passport"}
    )
    assert wording("citizen", "/ask_question[1]") is None  # not a payload: as typed
    assert wording("citizen", '/ask_question{"x":1}') == Wording(key="payload.guide_any")
    assert wording("citizen", "/some_new_button") == Wording(
        key="payload.pressed", values={"button": "some new button"}
    )
    assert wording("citizen", "How do I renew my passport?") is None
    assert wording("agent", "/request_human") is None


@pytest.mark.parametrize(
    "text",
    ["human", "I want to talk to a person", "speak to someone please", "agent", "0", "yes",
     "转人工", "人工", "我要人工服务", "/request_human", "cancel", "  "],
)  # fmt: skip
def test_not_real_questions(text: str) -> None:
    assert not is_real_question(text)


@pytest.mark.parametrize(
    "text",
    ["How do I renew my passport?", "my passport expired", "敬老卡怎么办？", "a person lost an ID"],
)  # fmt: skip
def test_real_questions(text: str) -> None:
    assert is_real_question(text)


def test_last_question_is_the_last_real_one_before_the_handoff() -> None:
    lines = [
        L("citizen", "How do I renew my passport?"),
        L("bot", "Apply for or renew a passport ..."),
        L("citizen", "human"),
        L("system", "You are number 1 in the queue."),
        L("citizen", "/request_human"),
        L("citizen", "are you there?", ticket_id=7),
    ]
    assert last_question(lines) == "How do I renew my passport?"
    # nothing real before the handoff: the last real one after it
    assert last_question([L("citizen", "human"), L("citizen", "my ID card is lost", 7)]) == (
        "my ID card is lost"
    )
    assert last_question([L("citizen", "human"), L("citizen", "1")]) is None
