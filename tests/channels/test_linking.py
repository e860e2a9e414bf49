"""One citizen, many channels: a form started on Telegram continues over the REST channel."""

from __future__ import annotations

import re

import pytest

from civic.stack import Stack
from tests.fake_telegram import FakeTelegram

from .conftest import Citizen, new_chat_id, resolve, transcript

pytestmark = pytest.mark.integration


def test_link_code_joins_telegram_and_rest(stack: Stack, fake_telegram: FakeTelegram) -> None:
    tg, chat = fake_telegram, new_chat_id()
    tg.text(chat, "I want to report a broken streetlight")
    asked = tg.wait_texts(chat, 1)
    assert "Step 2 of 5" in asked[-1]["text"]
    tg.text(chat, "link")
    sent = tg.wait_texts(chat, len(asked) + 1)
    code = re.search(r"\b(\d{6})\b", sent[-1]["text"])
    assert code, sent[-1]["text"]

    web = Citizen(stack)
    web.say("Hello")  # this conversation has its own short history before it joins
    wrong = web.say("link 000000" if code.group(1) != "000000" else "link 111111")
    assert "not valid" in wrong["messages"][0]["text"]
    joined = web.say(f"link {code.group(1)}")
    texts = [m["text"] for m in joined["messages"]]
    assert "linked" in texts[0]
    assert "Step 2 of 5" in texts[-1]  # the pending form question, repeated here
    assert resolve(stack, f"rest:{web.id}") == f"telegram:{chat}"
    # Telegram hears about it too, without the repeated question
    tg.wait_for(lambda: "linked" in tg.sent(chat)[-1]["text"], what="the link notice")
    # the form started on Telegram continues on the other channel
    web.say("Corner of Lake Road and Fifth Street, by the bakery")
    assert "Step 3 of 5" in web.texts()
    # and the replies to a turn on one channel reach the citizen's other channel too
    tg.wait_for(
        lambda: any("Step 3 of 5" in m.get("text", "") for m in tg.sent(chat)),
        what="the REST turn's reply pushed to Telegram",
    )
    # one transcript: both channels' messages, the joining one's earlier history included
    history = transcript(stack, f"telegram:{chat}")
    citizen_lines = [text for sender, text in history if sender == "citizen"]
    assert "I want to report a broken streetlight" in citizen_lines
    assert "Hello" in citizen_lines
    assert "Corner of Lake Road and Fifth Street, by the bakery" in citizen_lines
    assert transcript(stack, f"rest:{web.id}") == []
    # the code works once
    other = Citizen(stack)
    assert "not valid" in other.say(f"link {code.group(1)}")["messages"][0]["text"]
    web.say("cancel")
