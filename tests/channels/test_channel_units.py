"""Fast checks of the channel building blocks (no processes)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bot.delivery.linking import parse
from bot.errors import ConfigError
from bot.settings import Settings
from channels import web_identity
from channels.hub import Channels
from channels.rest_push import sign, verify
from channels.settings import ChannelSettings
from channels.telegram_send import split_text

CORE = Settings(
    var_dir=Path("/tmp/civic-test"),
    redis_url="redis://127.0.0.1:1/0",
    database_url="sqlite://",
    rasa_url="http://127.0.0.1:1",
    actions_url="http://127.0.0.1:1/webhook",
    gateway_host="127.0.0.1",
    gateway_port=1,
    api_keys=frozenset({"k" * 16}),
    service_token="s" * 16,
    rasa_timeout_s=1.0,
)


def test_split_prefers_paragraphs_then_lines_and_keeps_everything() -> None:
    text = "\n\n".join(f"para {n} " + "x" * 1500 for n in range(5))
    pieces = split_text(text)
    assert all(len(p) <= 4096 for p in pieces) and len(pieces) == 3
    assert all(p.startswith("para") for p in pieces)
    assert "".join(pieces).replace("\n", "") == text.replace("\n", "")
    one_line = "y" * 9000
    assert [len(p) for p in split_text(one_line)] == [4096, 4096, 808]
    assert split_text("short") == ["short"]


def test_link_commands() -> None:
    assert parse("link") == (True, None)
    assert parse("/link") == (True, None)
    assert parse("Link 123456") == (True, "123456")
    assert parse("绑定 654321") == (True, "654321")
    assert parse("link code: 111222") == (True, "111222")
    assert parse("link my accounts") == (True, None)
    assert parse("link 12345") == (False, None)
    assert parse("how do I link my library card to the app?") == (False, None)


def test_web_identity_tokens_cannot_be_forged() -> None:
    token = web_identity.issue(b"secret-1")
    identity = web_identity.verify(b"secret-1", token)
    assert identity is not None and identity.startswith("web:")
    assert web_identity.verify(b"secret-2", token) is None
    web_id, signature = token.split(".")
    other = "B" if web_id.endswith("A") else "A"  # a different last character, always
    assert web_identity.verify(b"secret-1", f"{web_id[:-1]}{other}.{signature}") is None
    assert web_identity.verify(b"secret-1", "") is None


def test_callback_signature() -> None:
    now = time.time()
    body = b'{"a": 1}'
    signature = sign("whsec_x", int(now), body)
    assert verify("whsec_x", str(int(now)), signature, body, now)
    assert not verify("whsec_x", str(int(now)), signature, body + b" ", now)
    assert not verify(
        "whsec_x", str(int(now) - 600), sign("whsec_x", int(now) - 600, body), body, now
    )


def test_telegram_settings_are_checked() -> None:
    with pytest.raises(ConfigError, match="TELEGRAM_WEBHOOK_SECRET"):
        ChannelSettings.from_env(
            CORE,
            {"TELEGRAM_BOT_TOKEN": "1:" + "a" * 30, "TELEGRAM_WEBHOOK_URL": "https://x/tg"},
        )
    with pytest.raises(ConfigError, match="TELEGRAM_BOT_TOKEN"):
        ChannelSettings.from_env(CORE, {"TELEGRAM_BOT_TOKEN": "nonsense"})
    settings = ChannelSettings.from_env(CORE, {})
    assert not settings.telegram_enabled and settings.web_secret


def test_webhook_route_checks_the_secret_token() -> None:
    settings = ChannelSettings.from_env(
        CORE,
        {
            "TELEGRAM_BOT_TOKEN": "1:" + "a" * 30,
            "TELEGRAM_WEBHOOK_URL": "https://bot.example/telegram/hook",
            "TELEGRAM_WEBHOOK_SECRET": "s3cret",
        },
    )
    channels = Channels(settings)
    fed: list[dict[str, Any]] = []

    class Fake:
        async def feed(self, data: dict[str, Any]) -> None:
            fed.append(data)

    channels.telegram = Fake()  # type: ignore[assignment]
    app = FastAPI()
    channels.mount(app)
    client = TestClient(app)
    update = {"update_id": 1}
    assert client.post("/telegram/hook", json=update).status_code == 403
    wrong = {"X-Telegram-Bot-Api-Secret-Token": "nope"}
    assert client.post("/telegram/hook", json=update, headers=wrong).status_code == 403
    right = {"X-Telegram-Bot-Api-Secret-Token": "s3cret"}
    assert client.post("/telegram/hook", json=update, headers=right).status_code == 200
    assert fed == [update]
