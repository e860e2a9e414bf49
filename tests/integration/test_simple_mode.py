"""Simplified mode through the REST API, in both languages: switching on, a question answered
with the plain summary, numbered choices, 'repeat', '0' for a person, switching off."""

from __future__ import annotations

import pytest

from bot.simple import MAX_EN_WORDS, MAX_ZH_CHARS, body_of, size
from civic.stack import Stack

from .conftest import Citizen

pytestmark = pytest.mark.integration


def assert_simple(citizen: Citizen, lang: str) -> None:
    messages = citizen.last["messages"]
    assert 1 <= len(messages) <= 3
    cap = MAX_ZH_CHARS if lang == "zh" else MAX_EN_WORDS
    for message in messages:
        assert size(body_of(message["text"]), lang) <= cap, message["text"]
    last = messages[-1]
    assert last["buttons"][-1]["payload"] == "/request_human"
    assert all(b["title"][0].isdigit() for b in last["buttons"])
    assert last["text"].splitlines()[-1].startswith("0 ")


@pytest.mark.parametrize(
    ("lang", "switch_on", "question", "guide", "switch_off", "plain_words"),
    [
        ("en", "simple mode please", "How do I get a library card?", "library-card",
         "normal mode", "library"),
        ("zh", "长辈模式", "图书证怎么办？", "library-card", "退出长辈模式", "图书"),
    ],
)  # fmt: skip
def test_simplified_conversation(
    stack: Stack,
    lang: str,
    switch_on: str,
    question: str,
    guide: str,
    switch_off: str,
    plain_words: str,
) -> None:
    citizen = Citizen(stack)
    citizen.say(switch_on)
    assert citizen.last["state"]["simple_mode"] is True
    assert_simple(citizen, lang)

    citizen.say(question)
    assert_simple(citizen, lang)
    answer = citizen.texts()
    assert f"guides/{guide}" in answer and plain_words in answer.lower()

    first = [m["text"] for m in citizen.last["messages"]]
    citizen.say("repeat" if lang == "en" else "再说一遍")
    assert [m["text"] for m in citizen.last["messages"]] == first

    # the last numbered choice before "0" is the full guide: typing its number works
    buttons = citizen.last["messages"][-1]["buttons"]
    number = next(b["title"].split()[0] for b in buttons if b["payload"].endswith('"full"}'))
    citizen.say(number)
    assert_simple(citizen, lang)
    assert f"guides/{guide}" in "\n".join(m["text"] for m in citizen.history()["messages"])

    citizen.say("0")
    assert citizen.last["state"]["mode"] == "waiting_for_agent"
    citizen.say("cancel" if lang == "en" else "取消")
    assert citizen.last["state"]["mode"] == "bot"

    citizen.say(switch_off)
    assert citizen.last["state"]["simple_mode"] is False
    citizen.say(question)
    assert not citizen.last["messages"][-1]["text"].splitlines()[-1].startswith("0 ")


def test_two_misunderstandings_offer_simple_mode_and_a_person(stack: Stack) -> None:
    citizen = Citizen(stack)
    citizen.say("Who won the football match last night between the Lions and the Bears?")
    citizen.say("What is the best recipe for chocolate cake with strawberries?")
    payloads = [b["payload"] for m in citizen.last["messages"] for b in m["buttons"]]
    assert "/simple_mode_on" in payloads and "/request_human" in payloads
    citizen.click("Simple mode")
    assert citizen.last["state"]["simple_mode"] is True
