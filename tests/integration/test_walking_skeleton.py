"""One conversation through the whole system, in both languages, with Rasa killed midway."""

from __future__ import annotations

import uuid

import httpx
import pytest

from civic.stack import Stack

from .conftest import API_KEY, Citizen

pytestmark = pytest.mark.integration


def test_health_reports_every_dependency(stack: Stack) -> None:
    body = httpx.get(stack.gateway_url + "/healthz", timeout=10).json()
    assert body == {
        "status": "ok",
        "checks": {"redis": "ok", "database": "ok", "rasa": "ok", "actions": "ok"},
    }


def test_greeting_in_english_and_chinese(stack: Stack) -> None:
    en = Citizen(stack)
    en.say("Hello there")
    assert "Lakeside City assistant" in en.texts()
    assert en.last["state"]["lang"] == "en" and en.last["state"]["mode"] == "bot"
    zh = Citizen(stack)
    zh.say("你好")
    assert "湖滨市" in zh.texts()
    assert zh.last["state"]["lang"] == "zh"


def test_question_answered_from_a_guide_with_its_source(stack: Stack) -> None:
    en = Citizen(stack)
    en.say("How do I renew my passport?")
    assert "services.lakeside.example/guides/passport" in en.texts()
    assert "reviewed on" in en.texts()
    zh = Citizen(stack)
    zh.say("护照过期了，怎么换新的？")
    assert "services.lakeside.example/guides/passport" in zh.texts()
    assert "审核日期" in zh.texts()


def test_request_for_a_person_then_cancel(stack: Stack) -> None:
    citizen = Citizen(stack)
    body = citizen.say("I want to talk to a real person")
    state = body["state"]
    assert state["mode"] == "waiting_for_agent"
    assert state["queue_position"] >= 1 and state["estimated_wait_s"] > 0
    assert "queue" in citizen.texts()
    # while waiting the bot is silent; the message is kept for the agent
    queued = citizen.last
    acknowledged = citizen.say("my passport expired last week")["messages"]
    assert [m["text"][:22] for m in acknowledged] == ["I've passed this on. Y"]
    citizen.last = queued
    citizen.click("Stop waiting")
    assert citizen.last["state"]["mode"] == "bot"
    zh = Citizen(stack)
    zh.say("转人工")
    assert zh.last["state"]["mode"] == "waiting_for_agent"
    assert "排队" in zh.texts()


def test_rasa_killed_mid_conversation_then_recovers(stack: Stack) -> None:
    en, zh = Citizen(stack), Citizen(stack)
    en.say("Hello")
    zh.say("你好")
    stack.kill("rasa")
    try:
        en.say("How do I get a library card?")
        assert "technical problem" in en.texts()
        assert en.last["messages"][0]["from"] == "system"
        zh.say("图书证怎么办？")
        assert "系统暂时出了点问题" in zh.texts()
        en.click("person")  # the gateway opens the ticket itself while Rasa is down
        assert en.last["state"]["mode"] == "waiting_for_agent"
        en.click("Stop waiting")
    finally:
        stack.start("rasa")
    en.say("How do I get a library card?")
    assert "services.lakeside.example/guides/library-card" in en.texts()
    # nothing was lost: the whole exchange is in the transcript
    texts = [m["text"] for m in en.history()["messages"]]
    assert any("technical problem" in t for t in texts)
    assert sum("library-card" in t for t in texts) == 1


def test_api_errors_are_json(stack: Stack) -> None:
    url = stack.gateway_url + "/api/v1/conversations/it-errors/messages"
    auth = {"Authorization": f"Bearer {API_KEY}"}
    no_key = httpx.post(url, json={"text": "hi"})
    assert no_key.status_code == 401 and no_key.json()["error"]["code"] == "unauthorized"
    wrong_key = httpx.post(url, json={"text": "hi"}, headers={"Authorization": "Bearer nope"})
    assert wrong_key.status_code == 401
    too_long = httpx.post(url, json={"text": "a" * 4001}, headers=auth)
    assert too_long.status_code == 413 and too_long.json()["error"]["code"] == "too_large"
    malformed = httpx.post(
        url, content=b"{not json", headers={**auth, "Content-Type": "application/json"}
    )
    assert malformed.status_code == 422 and "error" in malformed.json()
    empty = httpx.post(url, json={"text": "   "}, headers=auth)
    assert empty.status_code == 422 and empty.json()["error"]["code"] == "invalid_message"
    bad_lang = httpx.post(url, json={"text": "hi", "lang": "fr"}, headers=auth)
    assert bad_lang.status_code == 422
    bad_id = httpx.post(
        stack.gateway_url + "/api/v1/conversations/a%20b/messages",
        json={"text": "hi"},
        headers=auth,
    )
    assert bad_id.status_code == 422


def test_any_json_media_type_is_answered_alike(stack: Stack) -> None:
    """application/json and another JSON media type: same conversation, same shape, same
    replies, same headers."""
    # a new conversation each run (a persistent Redis keeps an earlier run's, which retention
    # may since have forgotten: its first reply would then start with the notice)
    url = stack.gateway_url + f"/api/v1/conversations/it-two-paths-{uuid.uuid4().hex[:8]}/messages"
    auth = {"Authorization": f"Bearer {API_KEY}"}
    fast = httpx.post(url, json={"text": "hello", "lang": "en"}, headers=auth, timeout=30)
    routed = httpx.post(
        url,
        content=b'{"text": "hello", "lang": "en"}',
        headers={**auth, "Content-Type": "application/vnd.civic+json"},
        timeout=30,
    )
    assert fast.status_code == routed.status_code == 200
    a, b = fast.json(), routed.json()
    assert [m["text"] for m in a["messages"]] == [m["text"] for m in b["messages"]]
    assert a["state"] == b["state"] and a["messages"][0]["id"] < b["messages"][0]["id"]
    assert set(a["messages"][0]) == set(b["messages"][0]) == {
        "id", "text", "buttons", "custom", "from", "created_at"
    }  # fmt: skip
    for response in (fast, routed):
        assert response.headers["content-type"] == "application/json"
        assert response.headers["server-timing"].startswith("rasa;dur=")


@pytest.mark.parametrize(
    ("lang", "words", "sentence"),
    [
        ("en", ("restart", "start over"), "OK, let's start again. How can I help?"),
        ("zh", ("重新开始",), "好的，我们重新开始。请问有什么可以帮您？"),
    ],
)
def test_starting_over_says_so_once(
    stack: Stack, lang: str, words: tuple[str, ...], sentence: str
) -> None:
    for word in words:
        citizen = Citizen(stack, lang=lang)
        citizen.say("hello" if lang == "en" else "你好")
        citizen.say(word)
        assert citizen.texts().count(sentence) == 1, citizen.last
