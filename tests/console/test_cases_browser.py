"""The back office page (/console/cases) in headless Chromium against the real stack:
keyboard only, citizen text escaped, axe, no horizontal scrolling at 375 px; screenshots at
375 and 1280 px under test-artifacts/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from civic.stack import Stack
from tests.channels.conftest import _AGENT_PASSWORD, AXE, _agent_headers
from tests.channels.test_web_widget import browser  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.integration, pytest.mark.browser]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
HOSTILE = '<img src=x onerror="window.pwned=1">Pothole'


def test_back_office_by_keyboard_escaped_accessible(
    stack: Stack, browser: Any  # noqa: F811 (the imported fixture)
) -> None:
    _agent_headers(stack)  # the stack's supervisor account exists
    username = f"channels-{stack.config.gateway_port}"
    created = httpx.post(
        stack.gateway_url + "/api/v1/cases",
        json={"citizen_id": "rest:browser-case", "form": "report_street_problem", "lang": "en",
              "answers": {"description": HOSTILE, "phone": "13812345678"}},
        headers={"Authorization": f"Bearer {stack.config.service_token}"},
    )  # fmt: skip
    assert created.status_code == 201, created.text
    reference = created.json()["reference"]
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-GB", bypass_csp=True  # axe
    )
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(stack.gateway_url + "/console/cases")
        page.focus("#username")
        page.keyboard.type(username)
        page.keyboard.press("Tab")
        page.keyboard.type(_AGENT_PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_selector("#case-list button.case")
        page.locator("#case-list button.case", has_text=reference).focus()
        page.keyboard.press("Enter")
        page.wait_for_function(
            "ref => document.querySelector('#case-title').textContent.includes(ref)", arg=reference
        )
        assert page.evaluate("() => document.activeElement.id") == "case-title"
        answers = page.locator("#case-answers").inner_text()
        assert "13812345678" not in answers  # masked until revealed
        page.locator("#reveal").focus()
        page.keyboard.press("Enter")
        page.wait_for_function("() => document.querySelector('#case-answers').textContent"
                               ".includes('13812345678')")  # fmt: skip
        assert HOSTILE in page.locator("#case-answers").inner_text()  # shown as text
        assert page.evaluate("() => window.pwned === undefined")
        assert page.locator("#case-answers img").count() == 0
        page.locator("#s-status").focus()
        page.select_option("#s-status", "in_review")
        page.locator("#s-note").focus()
        page.keyboard.type("We are looking at it")
        page.locator("#status-form button[type=submit]").focus()
        page.keyboard.press("Enter")
        page.wait_for_function("() => document.querySelector('#case-status').textContent"
                               ".includes('Status saved')")  # fmt: skip
        assert "received → in_review" in page.locator("#case-events").inner_text()
        for width in (1280, 375):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(ARTIFACTS / f"backoffice-{width}.png"), full_page=True)
            page.add_script_tag(path=str(AXE))
            result = page.evaluate("async () => await axe.run(document)")
            bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
            assert bad == [], bad
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, width
    finally:
        context.close()
    events = httpx.get(
        f"{stack.gateway_url}/api/v1/backoffice/cases/{reference}", headers=_agent_headers(stack)
    ).json()["events"]
    assert [e["note"] for e in events if e["kind"] == "status"] == ["We are looking at it"]
