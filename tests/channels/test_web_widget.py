"""The web chat widget in headless Chromium (Debian's package), against the real stack."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from civic.stack import Stack

from .conftest import AXE, agent_closes, agent_says

pytestmark = [pytest.mark.integration, pytest.mark.browser]
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not shutil.which(CHROMIUM):
        pytest.fail("chromium is missing: run `make browser-deps`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any, stack: Stack) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 800, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(90_000)
    page.goto(stack.gateway_url + "/chat")
    page.wait_for_function("() => localStorage.length > 0")  # the identity token arrived
    yield page
    context.close()


def identity(page: Any) -> str:
    token: str = page.evaluate(
        "() => Object.keys(localStorage).filter(k => k.startsWith('civic-chat-token'))"
        ".map(k => localStorage.getItem(k))[0]"
    )
    return "web:" + token.split(".")[0]


def messages(page: Any) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = page.evaluate(
        "() => [...document.querySelectorAll('.civic-msg')].map(li => ({"
        "id: li.dataset.id || null, cls: li.className,"
        "text: li.querySelector('.civic-text').textContent}))"
    )
    return result


def send(page: Any, text: str) -> None:
    page.fill("#civic-input", text)
    page.keyboard.press("Enter")


def wait_text(page: Any, part: str) -> None:
    page.wait_for_function(
        "part => [...document.querySelectorAll('.civic-msg .civic-text')]"
        ".some(n => n.textContent.includes(part))",
        arg=part,
    )


def test_conversation_with_buttons_and_escaping(page: Any) -> None:
    page.focus("#civic-input")
    send(page, "Hello <b>there</b>")  # keyboard only: type, Enter
    wait_text(page, "Lakeside City assistant")
    mine = [m for m in messages(page) if "civic-from-citizen" in m["cls"]]
    assert mine[0]["text"] == "Hello <b>there</b>"  # shown as text, never parsed as HTML
    assert page.locator(".civic-log b").count() == 0
    page.evaluate(
        """() => { window.typingShown = false;
        const typing = document.querySelector('.civic-typing');
        new MutationObserver(() => { if (typing.textContent) window.typingShown = true; })
            .observe(typing, {childList: true, characterData: true, subtree: true}); }"""
    )
    page.get_by_role("button", name="What can you do?").first.click()
    page.wait_for_function(
        "() => document.querySelectorAll('.civic-from-bot, .civic-from-system').length >= 2"
    )
    assert page.get_by_role("button", name="Talk to a person").first.is_visible()
    # the typing indicator is shown while waiting and cleared after the answer
    page.wait_for_function("() => document.querySelector('.civic-typing').textContent === ''")
    assert page.evaluate("() => window.typingShown")


def test_simplified_mode_sizes(page: Any) -> None:
    send(page, "Hello")
    wait_text(page, "Lakeside City assistant")
    page.get_by_role("button", name="Simple mode").click()
    page.wait_for_function("() => document.querySelector('.civic-chat.civic-simple')")
    wait_text(page, "Simple mode is on")
    sizes = page.evaluate(
        """() => ({
            font: parseFloat(getComputedStyle(document.querySelector('.civic-msg .civic-text'))
                .fontSize),
            targets: [...document.querySelectorAll(
                '.civic-chat button, .civic-chat select, .civic-chat textarea')]
                .map(b => {
                    const r = b.getBoundingClientRect();
                    return Math.min(r.width, r.height);
                })
        })"""
    )
    assert sizes["font"] >= 18
    assert min(sizes["targets"]) >= 60, sizes
    assert page.get_by_role("button", name="Simple mode").get_attribute("aria-pressed") == "true"


def test_reconnect_loses_and_repeats_nothing_and_agent_replies_arrive_live(
    page: Any, stack: Stack
) -> None:
    send(page, "I want to talk to a person")
    wait_text(page, "queue")
    who = identity(page)
    agent_says(stack, who, "Hi, I'm Chen from the city office.")
    wait_text(page, "Chen")  # live, without the citizen doing anything
    page.wait_for_function(
        "() => document.querySelector('.civic-sr[aria-live=polite]').textContent.includes('Chen')"
    )
    page.evaluate("() => window.civicChat.disconnect()")
    agent_says(stack, who, "Are you still there?")
    agent_says(stack, who, "I have your file open now.")
    page.evaluate("() => window.civicChat.connect()")
    wait_text(page, "I have your file open now.")
    shown = messages(page)
    ids = [m["id"] for m in shown if m["id"]]
    assert len(ids) == len(set(ids))  # nothing twice
    texts = [m["text"] for m in shown]
    assert (
        texts.count("Are you still there?") == 1
        and texts.count("Hi, I'm Chen from the city office.") == 1
    )
    # a reload replays the history once, from the identity kept in localStorage
    page.reload()
    wait_text(page, "I have your file open now.")
    assert [m["text"] for m in messages(page)].count("Are you still there?") == 1
    assert identity(page) == who
    agent_closes(stack, who)
    wait_text(page, "How was the help")  # the bot is back and asks for a rating, live


def test_accessibility_axe_and_small_screens(page: Any) -> None:
    send(page, "Hello")
    wait_text(page, "Lakeside City assistant")
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 700})
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("async () => await axe.run(document.querySelector('.civic-chat'))")
        bad = [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")]
        assert bad == [], result["violations"]
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0  # no horizontal scrolling at 320 px
    # 200% zoom on a 640 px window is a 320 CSS px layout; every control stays reachable
    page.set_viewport_size({"width": 640, "height": 700})
    page.evaluate("() => { document.body.style.zoom = '2'; }")
    assert page.locator(".civic-person").is_visible()
    assert (
        page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        <= 0
    )
    # full keyboard use: Tab reaches the input, Send and the person button
    page.evaluate("() => { document.body.style.zoom = '1'; }")
    page.focus("#civic-lang")
    reached = []
    for _ in range(12):
        page.keyboard.press("Tab")
        reached.append(
            page.evaluate("() => document.activeElement.textContent || document.activeElement.id")
        )
    assert "civic-input" in reached and "Send" in reached and "Talk to a person" in reached
