"""Processes killed mid-conversation: the citizen gets a clear message, nothing confirmed is
lost, and the conversation continues after the restart.

These tests run on a stack of their own (its own Redis server, which they kill), so they do
not disturb the other integration tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest

from civic.stack import Stack
from civic.stack_config import local_config

from .conftest import API_KEY, Citizen

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    # a Redis server of our own, so that we may kill it
    config = replace(local_config(tmp_path_factory.mktemp("faults"), API_KEY), redis_url=None)
    stack = Stack(config)
    try:
        stack.up(quiet=True)
        yield stack
    finally:
        stack.down()


def test_action_server_killed(faulty: Stack) -> None:
    en, zh = Citizen(faulty), Citizen(faulty)
    en.say("Hello")
    zh.say("你好")
    faulty.kill("actions")
    try:
        en.say("How do I get a library card?")
        assert "technical problem" in en.texts()
        assert any(
            b["payload"] == "/request_human" for m in en.last["messages"] for b in m["buttons"]
        )
        zh.say("图书证怎么办？")
        assert "系统暂时出了点问题" in zh.texts()
    finally:
        faulty.start("actions")
    en.say("How do I get a library card?")
    assert "guides/library-card" in en.texts()
    zh.say("图书证怎么办？")
    assert "guides/library-card" in zh.texts()


def test_gateway_killed_and_restarted(faulty: Stack) -> None:
    zh = Citizen(faulty)
    zh.say("你好")
    zh.say("转人工")
    assert zh.last["state"]["mode"] == "waiting_for_agent"
    before = zh.history()["messages"]
    faulty.kill("gateway")
    with pytest.raises(httpx.TransportError):
        zh.client.post(zh.url, json={"text": "在吗"})
    faulty.start("gateway")
    # the session (language, waiting for a person) and the transcript survived
    assert zh.history()["messages"] == before
    assert zh.history()["state"]["mode"] == "waiting_for_agent"
    zh.say("取消")
    assert zh.last["state"] == {**zh.last["state"], "mode": "bot", "lang": "zh"}


def test_redis_killed_and_restarted(faulty: Stack) -> None:
    en = Citizen(faulty)
    en.say("Hello")
    en.say("switch to Chinese")
    assert en.last["state"]["lang"] == "zh"
    faulty.kill("redis")
    try:
        down = en.client.post(en.url, json={"text": "hello again"})
        assert down.status_code == 503
        assert down.json()["error"]["code"] == "unavailable"
        assert down.headers["Retry-After"]
    finally:
        faulty.start("redis")
    # the append-only file kept the session: the citizen is still served in Chinese
    en.say("谢谢")
    assert en.last["state"]["lang"] == "zh"
    assert "不客气" in en.texts()
