"""The insights screens in both languages at 1280 and 800 px (the gateway app served in-process,
as in test_insights_browser.py): no serious or critical axe-core violation, every control
operable, every CSV link and the groups' decision controls reached by Tab, a CSV downloaded by
Enter, a group marked with the keyboard alone, a table opened by its summary; screenshots kept
under test-artifacts/screenshots."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.browser import axe_problems, inoperable, screenshot

from .test_insights_browser import (
    Served,
    browser,
    no_horizontal_scroll,
    open_insights,
    seed,
    served,
)

pytestmark = [pytest.mark.browser]
__all__ = ["browser", "served"]  # the fixtures, shared with the other insights browser test


def said(locale: str, key: str, **values: object) -> str:
    """A catalogue's words (console/i18n), as the page shows them."""
    path = Path(__file__).resolve().parents[2] / "console" / "i18n" / f"{locale[:2]}.json"
    text: str = json.loads(path.read_text(encoding="utf-8"))[key]
    for name, value in values.items():
        text = text.replace("{" + name + "}", str(value))
    return text


def tab_order(page: Any, limit: int = 400) -> list[str]:
    """What the Tab key reaches in the insights view, in order (from its date range on)."""
    page.locator("#ins-from").focus()
    reached: list[str] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        where = page.evaluate(
            """() => { const n = document.activeElement;
                if (!n || !n.closest('#insights-view')) return null;
                const name = n.getAttribute('aria-label') || n.textContent.trim().slice(0, 40);
                return n.tagName.toLowerCase() + '|' + (n.getAttribute('href') || '') + '|'
                    + name; }"""
        )
        if where is None:
            break
        reached.append(where)
    return reached


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
@pytest.mark.parametrize("width", [1280, 800])
def test_accessible_and_keyboard_operable(
    served: Served, browser: Any, width: int, locale: str
) -> None:
    seed(served.gateway.db, datetime.now(UTC))
    page, errors = open_insights(browser, served, "supervisor", width, locale)
    view = "#insights-view"
    screenshot(page, f"insights-{width}-{locale}")
    assert axe_problems(page, view) == []
    assert inoperable(page, view) == []
    # every CSV link, the groups' decision controls and the guide diff by Tab alone
    reached = tab_order(page)
    links = page.eval_on_selector_all(
        ".ins-figure a[download]", "(links) => links.map(a => a.getAttribute('href'))"
    )
    assert len(links) >= 8  # every figure's CSV and the group's guide diff
    for href in links:
        assert any(r.startswith(f"a|{href}|") for r in reached), href
    marking = page.eval_on_selector_all(
        ".ins-mark select, .ins-mark input, .ins-mark button",
        "(ns) => ns.map(n => n.tagName.toLowerCase() + '||'"
        " + (n.getAttribute('aria-label') || n.textContent.trim()))",
    )
    assert len(marking) == 3 and set(marking) <= set(reached), (marking, reached)
    (group,) = page.request.get(served.url + "/api/v1/insights/questions").json()["clusters"]
    # a CSV by the keyboard: focus its link, press Enter, the file is the figure's rows
    satisfaction = page.locator("a[href^='/api/v1/insights/satisfaction?format=csv']").first
    satisfaction.focus()
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith("day,handoff_ratings,handoff_mean,case_ratings")
    # a group marked "out of scope" with the keyboard alone
    decision = page.locator(".ins-mark select").first
    decision.focus()
    for _ in range(3):  # open -> new guide -> covered -> out of scope
        page.keyboard.press("ArrowDown")
    assert decision.input_value() == "out_of_scope"
    page.keyboard.press("Tab")  # the guide field
    page.keyboard.press("Tab")  # Save
    page.keyboard.press("Enter")
    saved = said(locale, "ins.saved", id=group["id"])
    page.locator(".ins-figure p.notice[role=status]", has_text=saved).wait_for()
    groups = page.request.get(served.url + "/api/v1/insights/questions").json()["clusters"]
    assert [(g["id"], g["status"]) for g in groups] == [(group["id"], "out_of_scope")]
    # the tables open by the keyboard too (their summary), and nothing scrolls sideways
    page.locator(".ins-details summary").first.focus()
    page.keyboard.press("Enter")
    assert page.locator(".ins-details").first.get_attribute("open") is not None
    assert axe_problems(page, view) == []
    assert no_horizontal_scroll(page)
    screenshot(page, f"insights-{width}-{locale}-table")
    assert errors == [], "\n".join(sorted(set(errors)))
