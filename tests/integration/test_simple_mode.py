"""Simplified mode through the REST API, in both languages: switching on, a question answered
with the plain summary, numbered choices, 'repeat', '0' for a person, switching off."""

from __future__ import annotations

import pytest

from bot.simple_mode.rules import MAX_EN_WORDS, MAX_ZH_CHARS, size
from civic.stack import Stack

from .conftest import Citizen

pytestmark = pytest.mark.integration


def assert_simple(citizen: Citizen, lang: str) -> None:
    messages = citizen.last["messages"]
    assert 1 <= len(messages) <= 3
    cap = MAX_ZH_CHARS if lang == "zh" else MAX_EN_WORDS
    for message in messages:
        assert size(message["text"], lang) <= cap, message["text"]  # its choices included
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


@pytest.mark.parametrize(
    ("lang", "switch_on", "start", "place", "other_place", "said", "yes", "no", "cancel"),
    [
        ("en", "simple mode", "I want to report a broken streetlight",
         "Outside number 12 Lake Road", "Outside number 14 Lake Road", "You said:", "Yes", "No",
         "cancel"),
        ("zh", "长辈模式", "我家门口的路灯坏了，我要报修", "湖滨路12号门口", "湖滨路14号门口",
         "您填的是：", "对", "不对", "取消"),
    ],
)  # fmt: skip
def test_simplified_form_confirms_each_answer_and_0_reaches_a_person(
    stack: Stack,
    lang: str,
    switch_on: str,
    start: str,
    place: str,
    other_place: str,
    said: str,
    yes: str,
    no: str,
    cancel: str,
) -> None:
    step = (lambda n: f"Step {n} of 5") if lang == "en" else (lambda n: f"第{n}步，共5步")
    citizen = Citizen(stack)
    citizen.say(switch_on)
    citizen.say(start)
    assert_simple(citizen, lang)
    assert step(2) in citizen.texts()

    citizen.say(place)
    assert_simple(citizen, lang)
    assert said in citizen.texts() and place in citizen.texts()
    assert step(3) not in citizen.texts(), "the next question waits for the confirmation"
    titles = [b["title"] for b in citizen.last["messages"][-1]["buttons"]]
    assert titles == [f"1 {yes}", f"2 {no}", titles[-1]] and titles[-1].startswith("0 ")

    citizen.say("2")  # no: the same question again
    assert step(2) in citizen.texts()
    citizen.say(other_place)
    assert other_place in citizen.texts()
    citizen.say("1")  # yes: the next question
    assert step(3) in citizen.texts()
    assert_simple(citizen, lang)

    citizen.say("0")  # a person, in the middle of the form
    assert citizen.last["state"]["mode"] == "waiting_for_agent"
    citizen.say(cancel)
    assert citizen.last["state"]["mode"] == "bot"
