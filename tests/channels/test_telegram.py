"""The real python-telegram-bot Application in the gateway, against a local fake Bot API."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import redis

from civic.stack import Stack
from tests.fake_telegram import FakeTelegram

from .conftest import agent_closes, agent_says, new_chat_id, transcript

pytestmark = pytest.mark.integration


def joined(messages: list[dict[str, Any]]) -> str:
    return "\n".join(str(m.get("text", "")) for m in messages)


def test_start_then_an_inline_button(stack: Stack, fake_telegram: FakeTelegram) -> None:
    tg, chat = fake_telegram, new_chat_id()
    tg.text(chat, "/start")
    greeting = tg.wait_texts(chat, 1)[-1]
    assert "Lakeside City assistant" in greeting["text"]
    assert "inline_keyboard" in greeting["reply_markup"]
    tg.click(chat, greeting, "What can you do")
    sent = tg.wait_texts(chat, 2)
    # the callback query is answered, the chosen button shown, the payload sent to the bot
    tg.wait_for(lambda: tg.sent(chat, "editMessageText"), what="the chosen button shown")
    assert "→ What can you do?" in tg.sent(chat, "editMessageText")[0]["text"]
    assert any(m == "answerCallbackQuery" for m, _ in tg.calls)
    assert any(m == "sendChatAction" and p.get("action") == "typing" for m, p in tg.calls)
    assert ("citizen", "/help") in transcript(stack, f"telegram:{chat}")
    assert sent[-1]["text"] != greeting["text"]


def rasa_metadata(stack: Stack, sender: str) -> list[dict[str, Any]]:
    """The metadata of every user message in Rasa's tracker (what the actions see)."""
    raw = redis.Redis.from_url(stack.redis_url).get(f"rasa:tracker:{sender}")
    events = json.loads(raw or b"{}").get("events", [])
    return [e.get("metadata") or {} for e in events if e.get("event") == "user"]


def test_form_with_a_shared_location_and_a_photo(stack: Stack, fake_telegram: FakeTelegram) -> None:
    tg, chat = fake_telegram, new_chat_id()
    tg.text(chat, "I want to report a broken streetlight")
    asked = tg.wait_texts(chat, 1)
    assert "share your location" in joined(asked).lower()
    location = {"latitude": 31.2304, "longitude": 121.4737}
    tg.push({"message": tg.message(chat, location=location)})
    answered = tg.wait_texts(chat, len(asked) + 1)
    assert ("citizen", "📍 31.230400,121.473700") in transcript(stack, f"telegram:{chat}")
    # the shared place answered the question: the form moved on to the next step
    assert "Step 3 of 5" in joined(answered[len(asked) :])
    # the form's validation action gets the shared place as message metadata
    assert rasa_metadata(stack, f"telegram:{chat}")[-1]["location"] == {
        "lat": 31.2304,
        "lon": 121.4737,
    }
    photo = [
        {"file_id": "photo-small-1", "file_unique_id": "u-small", "width": 90, "height": 90},
        {"file_id": "photo-big-1", "file_unique_id": "u-big", "width": 800, "height": 600},
    ]
    tg.push({"message": tg.message(chat, photo=photo, caption="the lamp")})
    tg.wait_texts(chat, len(answered) + 1)
    assert any(m == "getFile" and p["file_id"] == "photo-big-1" for m, p in tg.calls)
    stored = stack.config.var_dir / "uploads" / "telegram" / "u-big.jpg"
    assert stored.read_bytes()[:2] == b"\xff\xd8"
    assert ("citizen", "the lamp") in transcript(stack, f"telegram:{chat}")
    assert rasa_metadata(stack, f"telegram:{chat}")[-1]["photo"] == {
        "file_id": "photo-big-1",
        "file_unique_id": "u-big",
        "path": "uploads/telegram/u-big.jpg",
    }


def test_handoff_then_agent_reply_and_a_long_one_split(
    stack: Stack, fake_telegram: FakeTelegram
) -> None:
    tg, chat = fake_telegram, new_chat_id()
    tg.text(chat, "/human")
    queued = tg.wait_texts(chat, 1)
    assert "queue" in joined(queued)
    agent_says(stack, f"telegram:{chat}", "Hello, this is Anna from the city office.")
    tg.wait_for(lambda: "Anna" in joined(tg.sent(chat)), what="the agent reply")
    paragraphs = [f"Paragraph {n}. " + "word " * 150 for n in range(1, 9)]  # ~6,100 chars
    agent_says(stack, f"telegram:{chat}", "\n\n".join(paragraphs))
    tg.wait_for(lambda: "Paragraph 8." in joined(tg.sent(chat)), what="the long reply")
    pieces = [m["text"] for m in tg.sent(chat) if "Paragraph" in m["text"]]
    assert len(pieces) == 2 and all(len(p) <= 4096 for p in pieces)
    assert pieces[0].rstrip().endswith("word") and pieces[1].startswith("Paragraph")
    assert joined(tg.sent(chat)).count("Anna") == 1  # delivered once
    agent_closes(stack, f"telegram:{chat}")
    tg.wait_for(lambda: "How was the help" in joined(tg.sent(chat)), what="the rating question")


def test_flood_control_retry_after_is_honoured(stack: Stack, fake_telegram: FakeTelegram) -> None:
    tg, chat = fake_telegram, new_chat_id()
    tg.fail_next("sendMessage", times=1, retry_after=1)
    tg.text(chat, "/help")
    tg.wait_texts(chat, 2)  # the refused attempt and the retry
    attempts = [
        (t, p)
        for (m, p), t in zip(tg.calls, tg.call_times, strict=True)
        if m == "sendMessage" and int(p["chat_id"]) == chat
    ]
    assert attempts[0][1]["text"] == attempts[1][1]["text"]
    assert attempts[1][0] - attempts[0][0] >= 0.95  # waited retry_after before retrying


def test_a_repeated_update_is_processed_once(stack: Stack, fake_telegram: FakeTelegram) -> None:
    tg, chat = fake_telegram, new_chat_id()
    update_id = tg.text(chat, "/help")
    first = tg.wait_texts(chat, 1)
    redelivery = {"message": tg.message(chat, text="/help")}
    tg.push(redelivery, update_id=update_id)  # the same update_id again
    tg.text(chat, "Hello")
    # one chat's updates are handled in order: a wrongly processed duplicate (pushed before
    # Hello) would have been answered before Hello was
    tg.wait_for(lambda: len(tg.sent(chat)) > len(first), what="the reply to Hello")
    assert joined(tg.sent(chat)).count(first[0]["text"]) == 1


def test_media_edits_and_groups(stack: Stack, fake_telegram: FakeTelegram) -> None:
    tg, chat = fake_telegram, new_chat_id()
    voice = {"file_id": "v1", "file_unique_id": "v", "duration": 3}
    tg.push({"message": tg.message(chat, voice=voice)})
    tg.wait_for(lambda: "only read text" in joined(tg.sent(chat)), what="the media note")
    sticker = {"file_id": "s1", "file_unique_id": "s", "type": "regular", "width": 1}
    sticker |= {"height": 1, "is_animated": False, "is_video": False}
    tg.push({"message": tg.message(chat, sticker=sticker)})
    tg.wait_for(lambda: joined(tg.sent(chat)).count("only read text") == 2, what="sticker note")
    tg.push({"edited_message": {**tg.message(chat, text="edited"), "edit_date": int(time.time())}})
    tg.wait_for(lambda: "edited a message" in joined(tg.sent(chat)), what="the edit note")
    group = -new_chat_id()
    tg.text(group, "hello everyone", chat_type="group")
    tg.text(group, "/start", chat_type="group")
    tg.wait_for(lambda: "private chats" in joined(tg.sent(group)), what="the group note")
    assert len(tg.sent(group)) == 1 and transcript(stack, f"telegram:{group}") == []


def test_simplified_mode_numbered_keyboard(stack: Stack, fake_telegram: FakeTelegram) -> None:
    tg, chat = fake_telegram, new_chat_id()
    tg.text(chat, "/simple")
    on = tg.wait_texts(chat, 1)[-1]
    keyboard = on["reply_markup"]
    assert keyboard.get("is_persistent") is True
    assert keyboard["keyboard"][-1][0]["text"].startswith("0. ")
    tg.text(chat, "/start")
    greeting = tg.wait_texts(chat, 2)[-1]
    labels = [row[0]["text"] for row in greeting["reply_markup"]["keyboard"]]
    assert labels[0].startswith("1. ") and labels[-1].startswith("0. ")
    tg.text(chat, labels[0])  # pressing "1. What can you do?" sends its payload
    tg.wait_texts(chat, 3)
    assert ("citizen", "/help") in transcript(stack, f"telegram:{chat}")
