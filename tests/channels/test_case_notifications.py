"""A case's status changes reach the citizen on their own channel, in their language: Telegram
(the real python-telegram-bot against the fake Bot API) with the more-information round trip
by photo and the rating, and the web widget in headless Chromium, live."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from civic.stack import Stack
from tests.fake_telegram import FakeTelegram

from .conftest import _agent_headers, new_chat_id, resolve
from .test_web_widget import browser, page, send, wait_text  # noqa: F401 (fixtures)
from .test_web_widget import identity as web_identity

pytestmark = pytest.mark.integration


def submit(stack: Stack, citizen_id: str, form: str, lang: str) -> str:
    response = httpx.post(
        stack.gateway_url + "/api/v1/cases",
        json={"citizen_id": citizen_id, "form": form, "lang": lang,
              "answers": {"type": "pothole", "description": "A deep hole by the school"}},
        headers={"Authorization": f"Bearer {stack.config.service_token}"},
    )  # fmt: skip
    assert response.status_code == 201, response.text
    reference: str = response.json()["reference"]
    return reference


def move(stack: Stack, reference: str, status: str, note: str | None = None) -> None:
    response = httpx.post(
        f"{stack.gateway_url}/api/v1/backoffice/cases/{reference}/status",
        json={"status": status, "note": note}, headers=_agent_headers(stack),
    )  # fmt: skip
    assert response.status_code == 200, response.text


def case(stack: Stack, reference: str) -> dict[str, Any]:
    response = httpx.get(
        f"{stack.gateway_url}/api/v1/backoffice/cases/{reference}", headers=_agent_headers(stack)
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_telegram_citizen_is_told_sends_a_photo_and_rates(
    stack: Stack, fake_telegram: FakeTelegram
) -> None:
    tg, chat = fake_telegram, new_chat_id()
    tg.text(chat, "你好")
    greeted = len(tg.wait_texts(chat, 1))
    citizen = resolve(stack, f"telegram:{chat}")
    reference = submit(stack, citizen, "report_street_problem", "zh")

    def said(part: str) -> dict[str, Any]:
        found: dict[str, Any] = tg.wait_for(
            lambda: next((m for m in tg.sent(chat) if part in m["text"]), None),
            what=f"a message with {part!r}",
        )
        return found

    move(stack, reference, "in_review")
    assert reference in said("审核中")["text"]
    move(stack, reference, "more_information_needed", note="请补一张坑的照片")
    asked = said("请补一张坑的照片")
    assert "需要补充材料" in asked["text"] and len(tg.sent(chat)) > greeted
    photo = [{"file_id": "case-photo-1", "file_unique_id": "case-u1", "width": 800,
              "height": 600}]  # fmt: skip
    tg.push({"message": tg.message(chat, photo=photo, caption="这是照片")})
    assert reference in said("已附到")["text"]
    seen = case(stack, reference)
    [added] = [e for e in seen["events"] if e["kind"] == "citizen_info"]
    assert added["note"] == "这是照片" and seen["status"] == "in_review"
    href = added["detail"]["photo"]["href"]
    image = httpx.get(stack.gateway_url + href, headers=_agent_headers(stack))
    assert image.status_code == 200 and image.content[:2] == b"\xff\xd8"
    move(stack, reference, "approved", note="下周施工")
    told = said("下周施工")
    question = said("满意吗")
    titles = [b["text"] for row in question["reply_markup"]["inline_keyboard"] for b in row]
    assert titles == ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
    # pushed messages to one chat go at most one a second (Telegram's limit, in Redis)
    times = [t for (m, p), t in zip(tg.calls, tg.call_times, strict=False)
             if m == "sendMessage" and int(p.get("chat_id", 0)) == chat
             and p["text"] in (told["text"], question["text"])]  # fmt: skip
    assert len(times) == 2 and times[1] - times[0] >= 0.9
    tg.click(chat, question, "非常不满意")
    assert reference in said("主管")["text"]
    reviews = httpx.get(
        stack.gateway_url + "/api/v1/backoffice/reviews", headers=_agent_headers(stack)
    ).json()
    assert any(r["reference"] == reference and r["rating"] == 1 for r in reviews)


@pytest.mark.browser
def test_web_widget_shows_the_status_change_live_in_the_citizens_language(
    page: Any, stack: Stack  # noqa: F811 (the imported fixture)
) -> None:
    send(page, "你好")
    page.wait_for_function("() => document.querySelectorAll('.civic-msg').length >= 2")
    citizen = resolve(stack, web_identity(page))
    reference = submit(stack, citizen, "book_appointment", "en")
    move(stack, reference, "in_review", note="材料齐全")
    wait_text(page, reference)
    text = page.evaluate(
        "ref => [...document.querySelectorAll('.civic-msg .civic-text')]"
        ".map(n => n.textContent).find(t => t.includes(ref))",
        reference,
    )
    assert "审核中" in text and "材料齐全" in text
