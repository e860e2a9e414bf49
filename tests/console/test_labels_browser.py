"""Labelling a declined question in the console, in headless Chromium, in English and in
Chinese, keyboard only: the real stack declines the citizen's question, the agent claims the
ticket, the question shows under "Questions the assistant could not answer" with the guides
suggested for it, and Enter on a choice labels it (the focus stays on that choice, the label
is announced). Checked as rendered at 375 and 1280 px: hidden things invisible, controls
usable, axe."""

from __future__ import annotations

from typing import Any

import pytest

from civic.stack import Stack
from tests.browser import WIDTHS, axe_problems, browser, inoperable, screenshot, visible_hidden
from tests.conftest import Citizen

from .agents import PASSWORD, AgentClient, add_agent

pytestmark = [pytest.mark.integration, pytest.mark.browser]
__all__ = ["browser"]  # the shared fixture

WORDS = {
    "en": {"heading": "Questions the assistant could not answer", "none": "No guide answers it",
           "saved": "no guide answers it", "declined": "could not answer",
           "question": "can I get a fishing licence for the lake"},
    "zh": {"heading": "助手没能回答的问题", "none": "没有指南能回答", "saved": "没有指南能回答",
           "declined": "无法回答", "question": "可以在湖边钓鱼吗，需要办钓鱼证吗"},
}  # fmt: skip


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_label_a_declined_question_keyboard_only(stack: Stack, browser: Any, lang: str) -> None:
    from playwright.sync_api import expect

    words = WORDS[lang]
    username = add_agent(stack, "agent")
    citizen = Citizen(stack, lang=lang)
    citizen.say(words["question"])
    assert citizen.last["messages"][-1]["buttons"], citizen.texts()  # declined: a person offered
    citizen.say("human" if lang == "en" else "转人工")
    ticket = AgentClient(stack, username).waiting_for(citizen.id)

    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-CN" if lang == "zh" else "en-US"
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(stack.gateway_url + "/console")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    card = page.locator(f"#waiting-{ticket['id']}")
    card.click()
    expect(page.locator("#ticket-title")).to_be_focused()
    page.keyboard.press("c")  # claim
    expect(page.locator("#reply")).to_be_focused()
    box = page.locator("#unsettled-box")
    expect(box).to_be_visible(timeout=20_000)  # once the outcome drain has stored the decline
    expect(box.locator("h2")).to_have_text(words["heading"])
    item = box.locator("#unsettled > li").first
    expect(item.locator(".question")).to_contain_text(words["question"])
    expect(item).to_contain_text(words["declined"])
    choices = item.locator(".choices button")
    assert choices.count() >= 2  # the guides suggested for the question, then "none"
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        box.scroll_into_view_if_needed()
        screenshot(page, f"console-label-{lang}-{width}")
        assert visible_hidden(page) == []
        assert inoperable(page, "#context-pane") == []
        assert axe_problems(page, "#context-pane") == []
    page.set_viewport_size({"width": 1280, "height": 900})

    # keyboard only: Tab from the last suggested guide's button to "none", Enter labels
    none = item.locator('.choices button[data-guide=""]')
    choices.nth(choices.count() - 2).focus()
    page.keyboard.press("Tab")
    expect(none).to_be_focused()
    expect(none).to_have_text(words["none"])
    page.keyboard.press("Enter")
    expect(item.locator(".label-state")).to_contain_text(words["saved"])
    expect(page.locator("#label-status")).to_contain_text(words["saved"])
    fresh = page.locator('#unsettled > li .choices button[data-guide=""]').first
    expect(fresh).to_have_attribute("aria-pressed", "true")
    expect(fresh).to_be_focused()  # the redraw kept the keyboard where it was
    assert axe_problems(page, "#context-pane") == []

    # another guide from the full list, by keyboard: the select, then "Label"
    select = page.locator("#unsettled > li .other select").first
    select.focus()  # the list of every guide is fetched on first focus
    expect(select.locator("option")).not_to_have_count(1)
    page.keyboard.press("ArrowDown")
    chosen = page.evaluate("() => document.activeElement.selectedOptions[0].textContent")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#unsettled > li .label-state").first).to_contain_text(chosen)
    assert errors == []
    context.close()
