"""The console in headless Chromium (Debian's package, driven by Playwright): log in, see the
ticket arrive without reloading, claim, read the transcript, reply, close."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from civic.stack import Stack
from tests.conftest import Citizen

from .agents import PASSWORD, add_agent

pytestmark = [pytest.mark.integration, pytest.mark.browser]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run",
]  # fmt: skip


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not shutil.which("chromium"):
        pytest.fail("chromium is not installed: run `make browser-deps` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield instance
        instance.close()


def test_console_login_claim_reply_close(stack: Stack, browser: object) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    username = add_agent(stack, "agent")
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda dialog: errors.append("dialog: " + dialog.message))
    page.goto(stack.gateway_url + "/console")
    page.fill("#username", username)
    page.fill("#password", "wrong password")
    page.click("#login-button")
    expect(page.locator("#login-error")).to_contain_text("wrong username or password")
    page.fill("#password", PASSWORD)
    page.click("#login-button")
    expect(page.locator("#whoami")).to_contain_text(username)
    expect(page.locator("#live")).to_have_text("live")

    # a citizen asks for a person after the page loaded: the queue updates by itself
    citizen = Citizen(stack)
    hostile = '<img src=x onerror="alert(1)"> my passport <b>expired</b>'
    citizen.say("How do I renew my passport?")
    citizen.say("human")
    citizen.say(hostile)  # while waiting: kept for the agent
    item = page.locator("#waiting li", has_text=f"rest:{citizen.id}")
    expect(item).to_be_visible(timeout=15_000)
    item.click()
    page.click("#claim")
    expect(page.locator("#ticket-meta")).to_contain_text(f"held by {username}")
    transcript = page.locator("#transcript")
    expect(transcript).to_contain_text(hostile)  # shown as text ...
    assert page.locator("#transcript img, #transcript b").count() == 0  # ... never as markup
    expect(page.locator("#suggestions li").first).to_contain_text("passport", ignore_case=True)

    page.select_option("#canned", index=5)  # canned replies fill the box
    assert "anything else" in page.input_value("#reply")
    page.fill("#reply", "Hello! I can help with your passport.")
    page.click("#send")
    expect(transcript.locator("li.agent")).to_contain_text("Hello! I can help with your passport.")
    history = citizen.history()
    assert history["messages"][-1]["from"] == "agent"
    assert history["messages"][-1]["text"] == "Hello! I can help with your passport."

    citizen.say("Thank you, that is all")  # arrives live in the open conversation
    expect(transcript).to_contain_text("Thank you, that is all", timeout=15_000)
    page.fill("#note", "Passport renewal explained")
    page.click("#close")
    expect(page.locator("#ticket-meta")).to_contain_text("closed")
    expect(page.locator("#held li", has_text=f"rest:{citizen.id}")).to_have_count(0)
    after = citizen.history()
    assert after["state"]["mode"] == "bot"
    assert [b["title"] for b in after["messages"][-1]["buttons"]] == ["1", "2", "3", "4", "5"]
    assert errors == []
    page.close()
