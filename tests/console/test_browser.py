"""The console in headless Chromium (Debian's package, driven by Playwright): an agent logs in,
sees the ticket arrive without reloading, claims, reads the transcript, replies and closes, with
the keyboard only; every view is checked as rendered (hidden things invisible, controls usable,
axe) at 375 and 1280 px, with screenshots kept as test artefacts."""

from __future__ import annotations

import re
from typing import Any

import pytest

from civic.stack import Stack
from tests.browser import WIDTHS, axe_problems, browser, inoperable, screenshot, visible_hidden
from tests.conftest import Citizen

from .agents import PASSWORD, add_agent

pytestmark = [pytest.mark.integration, pytest.mark.browser]
__all__ = ["browser"]  # the shared fixture


def focused(page: Any) -> str:
    """The focused element: its id, else its text."""
    found: str = page.evaluate(
        "() => document.activeElement.id || document.activeElement.textContent.trim()"
    )
    return found


def in_queue(page: Any) -> bool:
    inside: bool = page.evaluate("() => !!document.activeElement.closest('#queue-pane')")
    return inside


def check_view(page: Any, name: str) -> None:
    screenshot(page, name)
    assert visible_hidden(page) == [], name
    assert inoperable(page) == [], name
    assert axe_problems(page) == [], name


def starts_below_header(page: Any, selector: str, width: int) -> None:
    """The view begins right under the header (nothing pushes it down the page), and on a
    phone the header takes at most two rows."""
    header = page.locator("header").bounding_box()
    view = page.locator(selector).bounding_box()
    assert header and view, selector
    gap = view["y"] - (header["y"] + header["height"])
    assert 0 <= gap <= 24, (selector, header, view)
    if width <= 375:
        assert header["height"] <= 160, header


def test_console_keyboard_only_login_claim_reply_close(stack: Stack, browser: Any) -> None:
    from playwright.sync_api import expect

    username = add_agent(stack, "agent")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda dialog: errors.append("dialog: " + dialog.message))
    page.goto(stack.gateway_url + "/console")
    expect(page.locator("#login-form")).to_be_visible()
    # before login: nothing of the desk is on screen
    for selector in ("#nav", "#logout", "#tab-desk", "#desk-view", "#dashboard-view"):
        expect(page.locator(selector)).to_be_hidden()

    page.keyboard.press("Tab")
    assert focused(page) == "skip-link"
    page.keyboard.press("Tab")
    assert focused(page) == "username"
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type("wrong password")
    page.keyboard.press("Enter")
    expect(page.locator("#login-error")).to_contain_text("wrong username or password")
    page.focus("#password")  # (the error is announced; the agent goes back to the field)
    page.keyboard.press("Control+A")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator("#whoami")).to_contain_text(username)
    expect(page.locator("#login-view")).to_be_hidden()
    expect(page.locator("#live")).to_have_text("live")
    page.wait_for_function("() => !!document.activeElement.closest('#queue-pane')")

    # a citizen asks for a person after the page loaded: the queue updates by itself
    citizen = Citizen(stack)
    hostile = '<img src=x onerror="alert(1)"> my passport <b>expired</b>'
    citizen.say("How do I renew my passport?")
    citizen.say("human")
    citizen.say(hostile)  # while waiting: kept for the agent
    card = page.locator("#waiting .ticket-card", has_text=f"rest:{citizen.id}")
    expect(card).to_be_visible(timeout=15_000)
    expect(card).to_contain_text("English")
    expect(card).to_contain_text("left to pick up")
    assert re.match(r"\(\d+ waiting\) ", page.title())
    # j walks the tickets until the citizen's is focused; Enter opens it
    for _ in range(50):
        if f"rest:{citizen.id}" in page.evaluate("() => document.activeElement.textContent"):
            break
        page.keyboard.press("j")
    page.keyboard.press("Enter")
    expect(page.locator("#ticket-title")).to_be_focused()
    expect(page.locator("#reply-form")).to_be_hidden()  # not held: nothing to send or close
    expect(page.locator("#close-form")).to_be_hidden()
    page.keyboard.press("c")  # claim: the reply box gets the focus
    expect(page.locator("#ticket-meta")).to_contain_text(f"held by you ({username})")
    expect(page.locator("#reply")).to_be_focused()
    transcript = page.locator("#transcript")
    expect(transcript).to_contain_text(hostile)  # shown as text ...
    assert page.locator("#transcript img, #transcript b").count() == 0  # ... never as markup
    expect(transcript.locator("li.citizen").last).to_contain_text(hostile)
    expect(page.locator("#suggestions li").first).to_contain_text("passport", ignore_case=True)
    assert page.evaluate("() => document.querySelector('#transcript').tabIndex") == 0

    page.select_option("#canned", index=5)  # canned replies fill the box
    assert "anything else" in page.input_value("#reply")
    page.focus("#reply")
    page.keyboard.press("Control+A")
    page.keyboard.type("Hello! I can help with your passport.")
    page.keyboard.press("Control+Enter")
    expect(transcript.locator("li.agent")).to_contain_text("Hello! I can help with your passport.")
    history = citizen.history()
    assert history["messages"][-1]["from"] == "agent"
    assert history["messages"][-1]["text"] == "Hello! I can help with your passport."

    citizen.say("Thank you, that is all")  # arrives live in the open conversation
    expect(transcript).to_contain_text("Thank you, that is all", timeout=15_000)
    page.focus("#reply")  # where the agent was typing (the live message took nothing away)
    page.keyboard.press("Tab")  # out of the reply box (to Send): shortcuts work again
    expect(page.locator("#send")).to_be_focused()
    page.keyboard.press("x")  # close: asks first, Cancel has the focus
    expect(page.locator("#confirm")).to_be_visible()
    expect(page.locator("#confirm-no")).to_be_focused()
    page.keyboard.press("Escape")  # changed their mind: nothing happens
    expect(page.locator("#confirm")).to_be_hidden()
    expect(page.locator("#ticket-meta")).to_contain_text("held by you")
    page.focus("#note")
    page.keyboard.type("Passport renewal explained")
    page.keyboard.press("Enter")
    expect(page.locator("#confirm")).to_be_visible()
    page.keyboard.press("Shift+Tab")
    expect(page.locator("#confirm-yes")).to_be_focused()
    page.keyboard.press("Enter")
    # closed: the agent lands on the queue, told what happened, nothing stale on screen
    expect(page.locator("#ticket-notice")).to_contain_text("is closed")
    expect(page.locator("#ticket")).to_be_hidden()
    page.wait_for_function("() => !!document.activeElement.closest('#queue-pane')")
    expect(page.locator("#held .ticket-card", has_text=f"rest:{citizen.id}")).to_have_count(0)
    after = citizen.history()
    assert after["state"]["mode"] == "bot"
    assert [b["title"] for b in after["messages"][-1]["buttons"]] == ["1", "2", "3", "4", "5"]
    assert errors == []
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_console_views_as_rendered(stack: Stack, browser: Any, width: int) -> None:
    """Login, queue, ticket and dashboard views of a supervisor, with a Chinese-speaking
    citizen in simplified mode; release and transfer ask first and leave nothing stale."""
    from playwright.sync_api import expect

    supervisor = add_agent(stack, "supervisor")
    add_agent(stack, "agent", team="documents")  # a team to transfer to
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(stack.gateway_url + "/console")
    expect(page.locator("#login-form")).to_be_visible()
    check_view(page, f"console-{width}-login")

    citizen = Citizen(stack, lang="zh")
    citizen.say("长辈模式", payload="/simple_mode_on")
    citizen.say("敬老卡怎么办？")
    citizen.say("转人工", payload="/request_human")
    page.fill("#username", supervisor)
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    card = page.locator("#waiting .ticket-card", has_text=f"rest:{citizen.id}")
    expect(card).to_be_visible(timeout=15_000)
    expect(card).to_contain_text("Chinese")
    expect(card).to_contain_text("Simplified mode")
    expect(page.locator("#login-view")).to_be_hidden()
    queue_box = page.locator("#queue-pane").bounding_box()
    assert queue_box and queue_box["y"] < 300  # the queue is at the top, not under the login
    check_view(page, f"console-{width}-queue")

    card.click()
    expect(page.locator("#ticket-meta")).to_contain_text("simplified mode")
    for selector in ("#reply-form", "#close-form", "#release", "#transfer"):
        expect(page.locator(selector)).to_be_hidden()  # waiting: nothing but Claim
    page.click("#claim")
    expect(page.locator("#ticket-meta")).to_contain_text("held by you")
    expect(page.locator("#reply-form")).to_be_visible()
    page.fill("#reply", "您好")
    check_view(page, f"console-{width}-ticket")

    # release asks first; afterwards the ticket is back in the queue and nothing stale shows
    page.click("#release")
    expect(page.locator("#confirm")).to_be_visible()
    screenshot(page, f"console-{width}-confirm")
    assert axe_problems(page, "#confirm") == []
    page.click("#confirm-yes")
    expect(page.locator("#ticket-notice")).to_contain_text("back in the queue")
    expect(page.locator("#ticket")).to_be_hidden()
    expect(card).to_be_visible()

    # transfer to a team: asks first, then the screen no longer says "held by"
    card.click()
    page.click("#claim")
    expect(page.locator("#ticket-meta")).to_contain_text("held by you")
    page.select_option("#transfer-to", "team:documents")
    page.click("#transfer")
    page.click("#confirm-yes")
    expect(page.locator("#ticket-notice")).to_contain_text("transferred to team documents")
    expect(page.locator("#ticket")).to_be_hidden()
    expect(page.locator("#ticket-error")).to_be_hidden()

    # the dashboard shows its reports at the top, with the range it used in the fields
    page.click("#tab-dashboard")
    expect(page.locator("#desk-view")).to_be_hidden()
    expect(page.locator("#report-cards .card").first).to_be_visible()
    starts_below_header(page, "#dashboard-view", width)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", page.input_value("#report-from"))
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", page.input_value("#report-to"))
    check_view(page, f"console-{width}-dashboard")
    assert errors == []
    citizen.say("取消")  # leave the queue to the other tests
    context.close()


# words of the English console that must not be left on a Chinese screen
ENGLISH = (
    "Waiting", "Held", "Nobody is waiting", "Keyboard shortcuts", "next ticket", "Select a ticket",
    "Claim", "Release", "Transfer", "Close ticket", "Send", "Canned replies", "Form data",
    "Guides for the last question", "left to pick up", "Simplified mode", "simplified mode",
    "held by", "waited", "place ", "conversation ", "Chinese", "no topic", "asked for a person",
    "system message", "citizen ·", "Dashboard", "Tickets requested", "mean pick-up", "Per agent",
    "Per team", "Per day", "Current queue", "abandonment", "business hours", " min ", "Show",
)  # fmt: skip


def english_left(page: Any, selector: str) -> list[str]:
    shown: str = page.locator(selector).inner_text()
    return [word for word in ENGLISH if word in shown]


@pytest.mark.parametrize("width", WIDTHS)
def test_console_in_chinese(stack: Stack, browser: Any, width: int) -> None:
    """The queue, a ticket and the dashboard after switching to 中文 (no reload): drawn again
    in Chinese, no English left, every key in the catalogue, axe clean, screenshots."""
    from playwright.sync_api import expect

    supervisor = add_agent(stack, "supervisor")
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-US")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(stack.gateway_url + "/console")
    citizen = Citizen(stack, lang="zh")
    citizen.say("长辈模式", payload="/simple_mode_on")
    citizen.say("敬老卡怎么办？")
    citizen.say("转人工", payload="/request_human")
    page.fill("#username", supervisor)
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    card = page.locator("#waiting .ticket-card", has_text=f"rest:{citizen.id}")
    expect(card).to_contain_text("Chinese", timeout=15_000)
    page.evaluate("() => { window.notReloaded = true; }")
    page.click("#desk-lang")  # the queue is drawn again in Chinese
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(card).to_contain_text("中文")
    expect(card).to_contain_text("长辈模式")
    expect(card).to_contain_text("请求转人工")  # the citizen's last line: a button, in words
    expect(page.locator("#waiting-title")).to_contain_text("等待接单")
    assert re.match(r"（\d+ 人等待）市民助手", page.title()), page.title()
    assert english_left(page, "#desk-view") == []
    starts_below_header(page, "#desk-view", width)
    check_view(page, f"console-zh-{width}-queue")

    card.click()
    page.click("#claim")
    expect(page.locator("#ticket-meta")).to_contain_text(f"由您（{supervisor}）接待")
    transcript = page.locator("#transcript")
    expect(transcript).to_contain_text("请求转人工")
    expect(transcript).to_contain_text("市民 ·")
    page.fill("#reply", "您好" * 20)  # one sentence of 40 characters: too hard in simplified mode
    expect(page.locator("#reply-warning")).to_contain_text("太难懂")
    # back to English and to Chinese again: the open ticket follows, still without a reload
    page.click("#desk-lang")
    expect(page.locator("#ticket-meta")).to_contain_text(f"held by you ({supervisor})")
    expect(page.locator("#reply-warning")).to_contain_text("Too hard for this citizen")
    page.click("#desk-lang")
    expect(page.locator("#ticket-meta")).to_contain_text("长辈模式")
    expect(page.locator("#reply-warning")).to_contain_text("太难懂")
    assert english_left(page, "#desk-view") == []
    check_view(page, f"console-zh-{width}-ticket")

    page.click("#release")
    expect(page.locator("#confirm-title")).to_contain_text("放回队列？")
    assert axe_problems(page, "#confirm") == []
    page.click("#confirm-yes")
    expect(page.locator("#ticket-notice")).to_contain_text("已放回队列")

    page.click("#tab-dashboard")
    expect(page.locator("#report-cards .card").first).to_contain_text("工单数")
    expect(page.locator("#report-range")).to_contain_text("期间提出的工单")
    assert english_left(page, "#dashboard-view") == []
    starts_below_header(page, "#dashboard-view", width)
    check_view(page, f"console-zh-{width}-dashboard")
    assert page.evaluate("() => window.notReloaded === true")
    assert page.evaluate("() => [...I18N.missing]") == []
    assert errors == []
    citizen.say("取消")  # leave the queue to the other tests
    context.close()
