"""The insights screens in headless Chromium (Debian's package through Playwright), against the
gateway app served in-process on its own SQLite database and Redis: every chart drawn with data
and with none, at 1280 and 800 px: no console errors, each table alternative has one row per
data point, no horizontal scrolling; an editor sees only the guides and question groups.
Accessibility and the keyboard: test_insights_keyboard_browser.py."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.cases.models import CaseEvent, CaseRecord
from bot.settings import Settings
from bot.storage.models import (
    OutcomeEvent,
    QuestionCluster,
    QuestionLabel,
    Ticket,
    TicketEvent,
    TranscriptMessage,
)
from civic.app import create_app
from civic.ports import free_port
from tests.browser import Served, screenshot
from tests.conftest import migrate

pytestmark = [pytest.mark.browser]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
PASSWORD = "correct horse battery"


@pytest.fixture
def served(redis_url: str, tmp_path: Path) -> Iterator[Served]:
    settings = Settings.from_env(
        {
            "REDIS_URL": redis_url,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'civic.db'}",
            "CIVIC_API_KEYS": "insights-browser-key-0123456789",
            "CIVIC_SERVICE_TOKEN": "insights-browser-service-0123",
            "CIVIC_VAR_DIR": str(tmp_path),
            "RASA_URL": f"http://127.0.0.1:{free_port()}",
        }
    )
    migrate(settings.database_url)
    with Served(create_app(settings), free_port()) as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not shutil.which("chromium"):
        pytest.fail("chromium is not installed: run `make browser-deps` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield instance
        instance.close()


def seed(db: Any, now: datetime) -> None:
    """Ten days of handoffs (every 3 hours, handled in 4 minutes) and a day of outcomes."""
    with db.session() as s:
        for i in range(80):
            at = now - timedelta(hours=3 * i + 1)
            ticket = Ticket(
                citizen_id=f"web:{i}",
                status="closed",
                reason="requested",
                lang="en",
                simple_mode=False,
                priority=0,
                created_at=at,
                closed_at=at + timedelta(seconds=300),
                rating=1 + i % 5,
            )
            s.add(ticket)
            s.flush()
            for kind, after in (("requested", 0), ("claimed", 60), ("closed", 300)):
                s.add(TicketEvent(ticket_id=ticket.id, kind=kind, at=at + timedelta(seconds=after)))
        day = now - timedelta(hours=2)
        base = {"channel": "web", "lang": "en", "simple_mode": False}
        rows = [
            ("a", 0, "answered", {}),
            ("a", 1, "declined", {}),
            ("a", 2, "handed_off", {}),
            ("b", 0, "form_started", {"form": "book_appointment"}),
            ("b", 0, "form_step", {"form": "book_appointment", "step": 1, "field": "service"}),
            ("b", 1, "form_invalid", {"form": "book_appointment", "step": 1, "field": "service"}),
            ("b", 2, "form_step", {"form": "book_appointment", "step": 2, "field": "date"}),
        ]
        for who, minute, kind, extra in rows:
            s.add(
                OutcomeEvent(
                    at=day + timedelta(minutes=minute), subject=who, kind=kind, **base, **extra
                )
            )
        for i, level in enumerate((5, 4, 2, 1, 3, 5)):  # case ratings on three days
            rated = now - timedelta(days=i // 2, hours=1)
            case = CaseRecord(reference=f"RC-2026-{900000 + i}", citizen_id=f"web:c{i}",
                              form="book_appointment", status="completed", channel="web",
                              lang="en", answers={}, created_at=rated - timedelta(days=3),
                              updated_at=rated, rating=level, closed_at=rated)  # fmt: skip
            s.add(case)
            s.flush()
            s.add(CaseEvent(case_id=case.id, at=rated, actor="citizen", kind="rated",
                            detail={"rating": level}))  # fmt: skip
        message = TranscriptMessage(
            citizen_id="web:q",
            channel="web",
            sender="citizen",
            text='<b>dog</b> licence "fee"?',
            created_at=day,
        )
        s.add(message)
        s.flush()
        s.add(OutcomeEvent(at=day, subject="q", kind="declined", message_id=message.id, **base))
        label = {"guide": "dog-registration", "labelled_by": "ana", "labelled_at": day}
        s.add(QuestionLabel(message_id=message.id, lang="en", outcome="declined", **label))
        s.add(
            QuestionCluster(
                run_at=now,
                lang="en",
                size=1,
                recent=1,
                previous=0,
                message_ids=[message.id],
                examples=[message.id],
                guide="dog-registration",
                guide_score=0.4,
                status="open",
            )
        )


def open_insights(
    browser: Any, served: Served, role: str, width: int, locale: str = "en-US"
) -> tuple[Any, list[str]]:
    username = f"{role}-{width}-{locale}"
    served.gateway.agents.add(username, PASSWORD, role, None)
    page = browser.new_page(viewport={"width": width, "height": 900}, locale=locale)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # failed requests are checked by URL (the response handler); every other console error counts
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and not (r.status == 401 and r.url.endswith("/api/v1/agent/me"))
            else None
        ),
    )
    page.goto(served.url + "/console")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login-button")
    page.locator("#tab-insights").click(timeout=15_000)
    page.locator("#ins-figures > div .ins-figure").first.wait_for(timeout=60_000)
    return page, errors


def figures(page: Any) -> dict[str, dict[str, Any]]:
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('.ins-figure')].map(f => [
            f.querySelector('figcaption').textContent,
            {rows: f.querySelectorAll('tbody tr').length, chart: !!f.querySelector('svg'),
             empty: !!f.querySelector('.ins-empty')}]))"""
    )


def no_horizontal_scroll(page: Any) -> bool:
    return bool(
        page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
    )


@pytest.mark.parametrize("width", [1280, 800])
def test_every_chart_with_data(served: Served, browser: Any, width: int, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    seed(served.gateway.db, now)
    page, errors = open_insights(browser, served, "supervisor", width)
    found = figures(page)
    api = page.request
    outcomes = api.get(served.url + "/api/v1/insights/outcomes").json()
    active = [d for d in outcomes["days"] if d["sessions"] or d["answered"] or d["handed_off"]]
    assert found["Outcomes per day"] == {"rows": len(active), "chart": True, "empty": False}
    forecast = api.get(served.url + "/api/v1/insights/forecast").json()
    title = "Staffing forecast, next seven days (30-minute slots)"
    assert found[title] == {"rows": len(forecast["slots"]), "chart": True, "empty": False}
    assert len(forecast["slots"]) == 336 and forecast["aht_s"] == 240.0
    heat = next(k for k in found if k.startswith("Handoff requests by weekday"))
    assert found[heat]["rows"] == 7 * 24 and found[heat]["chart"]
    assert "agents needed next week" in heat  # the forecast is drawn over the heat map
    staffed = [c for c in forecast["by_hour"] if c.get("agents_erlang_c")]
    heat_svg = page.locator(".ins-figure", has_text="Handoff requests by weekday").locator("svg")
    numbers = heat_svg.locator("text").all_text_contents()
    assert len(numbers) == 7 + 8 + len(staffed)  # weekday names, hour ticks, one per hour
    guides = api.get(served.url + "/api/v1/insights/guides").json()["guides"]
    stale = next(k for k in found if k.startswith("Guides by age"))
    assert found[stale]["rows"] == len(guides) == 90
    rated = [d for d in outcomes["handoff_ratings"] if d["count"]]
    assert found["Handoff ratings (1-5) per day"] == {"rows": len(rated), "chart": True,
                                                      "empty": False}  # fmt: skip
    cases = next(k for k in found if k.startswith("Case ratings per day"))
    assert [d["count"] for d in outcomes["case_ratings"] if d["count"]] == [2, 2, 2]
    assert found[cases] == {"rows": 3, "chart": True, "empty": False}
    funnel = next(k for k in found if k.startswith("Form funnel: book_appointment"))
    steps = len(api.get(served.url + "/api/v1/insights/funnel").json()["forms"][0]["steps"])
    assert found[funnel]["rows"] == steps + 2  # started, each step, summary, submitted
    assert found["Unanswered questions grouped by meaning"]["rows"] == 1
    labels = page.locator(".ins-labels").text_content() or ""
    assert labels.startswith("Declined questions labelled by agents: 1 (1 in English, 0 in Chinese")
    page.locator(".ins-labels").scroll_into_view_if_needed()
    screenshot(page, f"insights-labels-{width}")
    examples = page.locator(".ins-examples li")
    assert examples.first.text_content() == '<b>dog</b> licence "fee"?'  # text, never markup
    assert page.locator(".ins-examples b").count() == 0
    # a heat-map cell opens its tickets (from its table row, by keyboard-reachable button)
    heat_figure = page.locator(".ins-figure", has_text="Handoff requests by weekday")
    heat_figure.locator("summary").click()
    counts = heat_figure.locator("tbody tr td:nth-child(2)").all_text_contents()
    busy = next(i for i, count in enumerate(counts) if count != "0")
    heat_figure.locator("button.ins-open").nth(busy).click()
    page.locator("#ins-cell-tickets li").first.wait_for()
    assert page.locator("#ins-cell-tickets li").first.text_content().startswith("#")
    assert no_horizontal_scroll(page)
    page.screenshot(path=str(tmp_path / f"insights-{width}.png"), full_page=False)
    assert errors == [], "\n".join(sorted(set(errors)))


@pytest.mark.parametrize("width", [1280, 800])
def test_every_chart_without_data(served: Served, browser: Any, width: int) -> None:
    page, errors = open_insights(browser, served, "supervisor", width)
    found = figures(page)
    for title, figure in found.items():
        if title.startswith("Guides by age"):
            continue  # the guides are always there
        assert figure["rows"] == 0 and not figure["chart"] and figure["empty"], title
    assert "no handoff history" in page.locator(".ins-figure", has_text="Staffing").text_content()
    assert "have not labelled any" in (page.locator(".ins-labels").text_content() or "")
    assert no_horizontal_scroll(page)
    assert errors == [], "\n".join(sorted(set(errors)))


def test_an_editor_sees_guides_and_questions_only(served: Served, browser: Any) -> None:
    page, errors = open_insights(browser, served, "editor", 1280)
    # the desk's own page asks for the queue and gets 403 for an editor (not these screens')
    errors = [e for e in errors if not e.startswith("403 ") or "/api/v1/agent/" not in e]
    titles = list(figures(page))
    assert [t.split(" ")[0] for t in titles] == ["Guides", "Unanswered"]
    assert errors == [], "\n".join(sorted(set(errors)))


def test_insights_in_chinese(served: Served, browser: Any) -> None:
    """A browser in Chinese gets the insights in Chinese: every caption, column and note from
    the catalogue (no key missing), the charts' weekdays too."""
    seed(served.gateway.db, datetime.now(UTC))
    page, errors = open_insights(browser, served, "supervisor", 1280, locale="zh-CN")
    captions = list(figures(page))
    assert "每日对话结果" in captions and "按含义分组的未解答问题" in captions, captions
    assert not [c for c in captions if c.startswith(("Outcomes", "Staffing", "Form funnel"))]
    heat = page.locator(".ins-figure", has_text="按星期和小时统计").locator("svg text")
    assert "周一" in heat.all_text_contents()
    assert page.evaluate("() => [...I18N.missing]") == []
    assert (page.locator(".ins-labels").text_content() or "").startswith("客服已标注 1 个")
    assert errors == [], "\n".join(sorted(set(errors)))
