"""The web chat widget in headless Chromium (Debian's package), against the real stack."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from civic.stack import Stack
from tests.browser import (
    WIDTHS,
    axe_problems,
    browser,
    inoperable,
    overlaps,
    screenshot,
    visible_hidden,
)

from .conftest import agent_closes, agent_says

pytestmark = [pytest.mark.integration, pytest.mark.browser]
__all__ = ["browser"]  # the shared fixture


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
        assert axe_problems(page, ".civic-chat") == []
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
    for _ in range(30):  # past the greeting's examples and the answer's buttons
        page.keyboard.press("Tab")
        reached.append(
            page.evaluate("() => document.activeElement.textContent || document.activeElement.id")
        )
    assert "civic-input" in reached and "Send" in reached and "Talk to a person" in reached


PARTS = [".civic-header", ".civic-status", ".civic-log", ".civic-form"]
EXAMPLE = {"en": "How do I renew my passport?", "zh": "怎么办理护照？"}
SOURCE = {"en": "Source:", "zh": "来源"}
SIMPLE_ON = {"en": "Simple mode: on", "zh": "长辈模式：开"}
WAITING = {"en": "Waiting · place", "zh": "正在排队"}


def bot_count(page: Any) -> int:
    count: int = page.evaluate(
        "() => document.querySelectorAll('.civic-msg[data-id]:not(.civic-from-citizen)').length"
    )
    return count


def wait_more_bot(page: Any, before: int) -> None:
    page.wait_for_function(
        "n => document.querySelectorAll('.civic-msg[data-id]:not(.civic-from-citizen)').length > n"
        " && document.querySelector('.civic-typing').textContent === ''",
        arg=before,
    )


def check_rendered(page: Any, name: str) -> None:
    """What the citizen sees: nothing hidden shows, the four parts never overlap, every
    control is usable, axe finds nothing serious; a screenshot is kept."""
    screenshot(page, name)
    assert visible_hidden(page) == [], name
    assert overlaps(page, PARTS) == [], name
    assert inoperable(page, ".civic-chat") == [], name
    assert axe_problems(page, ".civic-chat") == [], name
    assert page.evaluate("() => document.documentElement.scrollWidth <= innerWidth"), name


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("width", WIDTHS)
def test_widget_as_rendered(browser: Any, stack: Stack, lang: str, width: int) -> None:
    # a browser set to Chinese gets the Chinese widget, and the conversation starts in Chinese
    locale = "zh-CN" if lang == "zh" else "en-GB"
    context = browser.new_context(viewport={"width": width, "height": 740}, locale=locale)
    page = context.new_page()
    page.set_default_timeout(90_000)
    page.goto(stack.gateway_url + "/chat")
    page.wait_for_function("() => localStorage.length > 0")  # (after the hello and state frames)
    tag = "zh-Hans" if lang == "zh" else "en"
    assert page.evaluate("() => document.querySelector('.civic-chat').lang") == tag
    # the chat opens with a greeting and three example questions, not empty
    examples = page.locator(".civic-welcome .civic-choice")
    assert examples.count() == 3
    assert page.locator(".civic-welcome .civic-text").inner_text().strip()
    check_rendered(page, f"widget-{lang}-{width}-start")

    # an example question: the answer opens at its start, its links are links and nothing else
    before = bot_count(page)
    page.get_by_role("button", name=EXAMPLE[lang]).click()
    wait_more_bot(page, before)
    first_new = page.locator(".civic-msg[data-id]:not(.civic-from-citizen)").nth(before)
    log_box, answer_box = page.locator(".civic-log").bounding_box(), first_new.bounding_box()
    assert log_box["y"] - 1 <= answer_box["y"] <= log_box["y"] + log_box["height"] / 2
    links = page.locator(".civic-log a.civic-link")
    assert links.count() >= 1
    for i in range(links.count()):
        link = links.nth(i)
        assert re.match(r"https?://", link.get_attribute("href") or "")
        assert set((link.get_attribute("rel") or "").split()) >= {"noopener", "noreferrer"}
        assert link.get_attribute("target") == "_blank"
        attributes = link.evaluate("a => [...a.attributes].map(x => x.name).sort()")
        assert attributes == ["class", "href", "rel", "target"]
    assert page.locator(".civic-text *:not(a)").count() == 0  # nothing else became HTML
    assert page.evaluate("() => document.querySelector('.civic-chat').lang") == tag
    check_rendered(page, f"widget-{lang}-{width}-answer")

    # simplified mode: the toggle says its state in words; one number per choice, shown once
    page.locator(".civic-controls .civic-btn").click()
    page.wait_for_function("() => document.querySelector('.civic-chat.civic-simple')")
    assert page.locator(".civic-controls .civic-btn").inner_text() == SIMPLE_ON[lang]
    page.wait_for_function("() => document.querySelector('.civic-typing').textContent === ''")
    before = bot_count(page)
    send(page, EXAMPLE[lang])
    wait_more_bot(page, before)
    choices = page.locator(".civic-msg[data-id] .civic-choice")
    titles = [choices.nth(i).inner_text().strip() for i in range(choices.count())]
    assert titles, "no choices in simplified mode"
    for title in titles:
        assert re.fullmatch(r"\d [^\d.].*", title), titles  # "1 Full guide", not "1. 1 Full guide"
    texts = page.locator(".civic-msg[data-id] .civic-text").all_inner_texts()
    for title in titles:
        assert not any(title == line.strip() for text in texts for line in text.splitlines())
    with_source = [text for text in texts if SOURCE[lang] in text]
    assert with_source and all("https://" in text for text in with_source)  # one bubble
    check_rendered(page, f"widget-{lang}-{width}-simple")

    # waiting for a person: the status line and the button say so, nothing overlaps
    page.locator(".civic-person").click()
    page.wait_for_function(
        "() => document.querySelector('.civic-status').textContent.trim() !== ''"
    )
    assert WAITING[lang] in page.locator(".civic-person").inner_text()
    check_rendered(page, f"widget-{lang}-{width}-waiting")
    send(page, "cancel" if lang == "en" else "取消")  # leave the queue to the other tests
    page.wait_for_function("() => document.querySelector('.civic-status').textContent === ''")
    context.close()
