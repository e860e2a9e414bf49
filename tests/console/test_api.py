"""The console's JSON API in-process: authentication, CSRF, rate limit, roles, the ticket
actions, the conversation view, reports, metrics and the OpenAPI document."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from bot.agents.accounts import AccountError
from bot.storage import keys
from tests.conftest import migrate

from .conftest import PASSWORD, Console


def conversation() -> str:
    return f"c-{uuid.uuid4().hex[:10]}"


async def test_cookie_session_needs_csrf_token_bearer_does_not(console: Console) -> None:
    user = console.add_agent()
    client = console.client
    response = await client.post(
        "/api/v1/agent/login", json={"username": user, "password": PASSWORD}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token"] is None and body["csrf_token"]
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    await console.citizen_says(c := conversation(), "human")
    assert (await client.get("/api/v1/agent/queue")).status_code == 200  # cookie is enough
    [ticket] = (await client.get("/api/v1/agent/queue")).json()["waiting"]
    url = f"/api/v1/agent/tickets/{ticket['id']}/claim"
    forged = await client.post(url)
    assert forged.status_code == 403
    assert forged.json() == {
        "error": {"code": "forbidden", "message": "missing or wrong CSRF token"}
    }
    assert (await client.post(url, headers={"X-CSRF-Token": "nope"})).status_code == 403
    ok = await client.post(url, headers={"X-CSRF-Token": body["csrf_token"]})
    assert ok.status_code == 200 and ok.json() == {"ticket_id": ticket["id"], "holder": user}
    assert ticket["conversation_id"] == f"rest:{c}"
    out = await client.post("/api/v1/agent/logout", headers={"X-CSRF-Token": body["csrf_token"]})
    assert out.status_code == 204
    client.cookies.clear()
    assert (await client.get("/api/v1/agent/queue")).status_code == 401
    # a bearer token needs no CSRF token
    bearer = await console.login(user)
    reply = await client.post(
        f"/api/v1/agent/tickets/{ticket['id']}/messages", json={"text": "Hi"}, headers=bearer
    )
    assert reply.status_code == 201 and reply.json()["sender"] == "agent"


async def test_login_errors_and_rate_limit(console: Console) -> None:
    user = console.add_agent()
    for _ in range(3):
        bad = await console.client.post(
            "/api/v1/agent/login", json={"username": user, "password": "wrong"}
        )
        assert bad.status_code == 401
        assert bad.json()["error"]["code"] == "unauthorized"
    limited = await console.client.post(
        "/api/v1/agent/login", json={"username": user, "password": PASSWORD}
    )
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    assert limited.json()["error"]["code"] == "rate_limited"


async def test_roles_are_checked_on_every_route(console: Console) -> None:
    docs = console.add_agent("agent", "documents")
    general = console.add_agent("agent", "general")
    boss = console.add_agent("supervisor")
    docs_h, general_h, boss_h = (
        await console.login(docs), await console.login(general), await console.login(boss)
    )  # fmt: skip
    # Rasa is down: the gateway opens the ticket, topic unknown -> the general team
    await console.citizen_says(conversation(), "human")
    [ticket] = (await console.client.get("/api/v1/agent/queue", headers=boss_h)).json()["waiting"]
    assert ticket["team"] == "general"
    assert (await console.client.get("/api/v1/agent/queue", headers=docs_h)).json()["waiting"] == []
    tid = ticket["id"]
    base = f"/api/v1/agent/tickets/{tid}"
    assert (await console.client.get(base, headers=docs_h)).status_code == 404
    assert (await console.client.post(base + "/claim", headers=docs_h)).status_code == 404
    assert (await console.client.post(base + "/claim", headers=general_h)).status_code == 200
    again = await console.client.post(base + "/claim", headers=boss_h)
    assert again.status_code == 409 and general in again.json()["error"]["message"]
    for path, body in (("/messages", {"text": "x"}), ("/release", None), ("/close", {})):
        assert (
            await console.client.post(base + path, json=body, headers=docs_h)
        ).status_code == 409
    assert (
        await console.client.get("/api/v1/reports/handoff", headers=general_h)
    ).status_code == 403
    assert (await console.client.get("/api/v1/reports/audit", headers=docs_h)).status_code == 403
    # a supervisor may act on anyone's ticket; the audit log says who did
    closed = await console.client.post(base + "/close", json={"note": "by boss"}, headers=boss_h)
    assert closed.status_code == 200
    audit = (await console.client.get("/api/v1/reports/audit", headers=boss_h)).json()
    assert audit[0]["actor"] == boss and audit[0]["detail"]["holder"] == general
    assert (await console.client.get("/api/v1/agent/queue")).status_code == 401


async def test_whole_ticket_through_the_api(console: Console) -> None:
    # the report below reads only this test's minutes: a shared database keeps other runs'
    # tickets, and the clock fixture picks one of 5,200 Monday mornings
    console.clock.advance(random.randrange(3000))
    started = console.clock.now()
    alice, bob = console.add_agent("agent"), console.add_agent("agent", "documents")
    boss = console.add_agent("supervisor")
    alice_h, bob_h, boss_h = (
        await console.login(alice), await console.login(bob), await console.login(boss)
    )  # fmt: skip
    c = conversation()
    tracker = {"events": [
        {"event": "slot", "name": "lang", "value": "en"},
        {"event": "active_loop", "name": "streetlight_form"},
        {"event": "slot", "name": "street", "value": "<b>Elm</b> Street"},
    ]}  # fmt: skip
    await console.gateway.redis.set(keys.RASA_TRACKER_PREFIX + f"rest:{c}", json.dumps(tracker))
    first = await console.citizen_says(c, "How do I renew my passport? <script>alert(1)</script>")
    assert first["messages"][0]["from"] == "system"  # Rasa is down: the apology
    queued = await console.citizen_says(c, "human")
    assert queued["state"]["mode"] == "waiting_for_agent"
    assert queued["state"]["queue_position"] == 1
    console.clock.advance(400)
    [item] = (await console.client.get("/api/v1/agent/queue", headers=alice_h)).json()["waiting"]
    assert (item["waited_s"], item["sla_target_s"], item["sla_breached"]) == (400, 300, True)
    tid = item["id"]
    base = f"/api/v1/agent/tickets/{tid}"
    assert (await console.client.post(base + "/claim", headers=alice_h)).status_code == 200
    view = (await console.client.get(base, headers=alice_h)).json()
    assert view["holder"] == alice
    assert view["form"] == {
        "active_form": "streetlight_form",
        "slots": {"street": "<b>Elm</b> Street"},
    }
    assert view["last_question"] == "How do I renew my passport? <script>alert(1)</script>"
    assert any(
        "<script>alert(1)</script>" in line["text"] for line in view["transcript"]
    )  # stored as typed; the page shows it with textContent
    console.clock.advance(20)
    sent = await console.client.post(
        base + "/messages", json={"text": "Hello, I can help."}, headers=alice_h
    )
    assert sent.status_code == 201
    seen = await console.citizen_reads(c, after=0)
    assert seen["messages"][-1]["from"] == "agent" and seen["state"]["mode"] == "with_agent"
    assert seen["messages"][-1]["text"] == "Hello, I can help."
    console.clock.advance(5)
    answer = await console.citizen_says(c, "My passport expired in May.")
    assert answer["messages"] == []  # the bot is silent while a person has the case
    view = (await console.client.get(base, headers=alice_h)).json()
    assert view["transcript"][-1]["text"] == "My passport expired in May."
    assert view["suggestions"][0]["guide_id"] == "passport"
    console.clock.advance(30)
    held = (await console.client.get("/api/v1/agent/queue", headers=alice_h)).json()["held"]
    assert held[0]["awaiting_reply_s"] == 30
    bad = await console.client.post(base + "/transfer", json={}, headers=alice_h)
    assert bad.status_code == 422
    moved = await console.client.post(
        base + "/transfer", json={"to_team": "documents"}, headers=alice_h
    )
    assert moved.json() == {"ticket_id": tid, "status": "waiting"}
    assert (await console.client.post(base + "/claim", headers=bob_h)).status_code == 200
    console.clock.advance(60)
    closed = await console.client.post(
        base + "/close", json={"note": "Renewal explained"}, headers=bob_h
    )
    assert closed.status_code == 200
    after = await console.citizen_reads(c, after=int(seen["messages"][-1]["id"]))
    assert after["state"]["mode"] == "bot"
    assert [b["payload"] for b in after["messages"][-1]["buttons"]] == [
        f"/rate {n}" for n in range(1, 6)
    ]
    rated = await console.citizen_says(c, "5", payload="/rate 5")
    assert rated["messages"][0]["text"] == "Thank you for your rating!"
    window = {
        "from": started.isoformat(),
        "to": (console.clock.now() + timedelta(seconds=1)).isoformat(),
    }
    report = (
        await console.client.get("/api/v1/reports/handoff", params=window, headers=boss_h)
    ).json()
    overall = report["overall"]["calendar"]
    assert overall["pickup_s"]["mean"] == 400.0 and overall["first_response_s"]["mean"] == 420.0
    assert overall["resolution_s"]["mean"] == 515.0 and overall["rating"]["mean"] == 5.0
    assert overall["sla_pickup"]["0"]["attainment"] == 0.0
    assert set(report["by_agent"]) == {alice, bob}
    metrics = (await console.client.get("/metrics")).text
    assert "civic_handoff_pickup_seconds_bucket" in metrics
    assert 'civic_handoff_events_total{kind="closed"}' in metrics


async def test_openapi_and_console_page(console: Console) -> None:
    paths = (await console.client.get("/openapi.json")).json()["paths"]
    for path in (
        "/api/v1/agent/login", "/api/v1/agent/queue", "/api/v1/agent/tickets/{ticket_id}/claim",
        "/api/v1/agent/tickets/{ticket_id}/messages", "/api/v1/agent/tickets/{ticket_id}/transfer",
        "/api/v1/agent/tickets/{ticket_id}/release", "/api/v1/agent/tickets/{ticket_id}/close",
        "/api/v1/reports/handoff",
    ):  # fmt: skip
        assert path in paths, path
    page = await console.client.get("/console")
    assert page.status_code == 200 and "agent console" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert "<script>" not in page.text.replace(
        '<script src="/console/static/console.js" defer></script>', ""
    )
    script = await console.client.get("/console/static/console.js")
    assert script.status_code == 200
    for sink in (".innerHTML", ".outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script.text  # citizen text only ever goes through textContent


async def test_display_names(console: Console, tmp_path: Path) -> None:
    """Accounts have a display name: the console greets citizens with it, colleagues see it."""
    ana = console.add_agent("agent")
    assert console.gateway.agents is not None
    headers = await console.login(ana)
    me = (await console.client.get("/api/v1/agent/me", headers=headers)).json()["agent"]
    assert me["display_name"] == ana  # none set: the username
    console.gateway.agents.rename(ana, "  Ana   Li ")
    login = await console.client.post(
        "/api/v1/agent/login", json={"username": ana, "password": PASSWORD, "session": "token"}
    )
    assert login.json()["agent"]["display_name"] == "Ana Li"
    colleagues = (await console.client.get("/api/v1/agent/agents", headers=headers)).json()
    assert {"username": ana, "display_name": "Ana Li", "role": "agent", "team": None} in colleagues
    for bad in ("x" * 101, "bell\x07"):
        with pytest.raises(AccountError):
            console.gateway.agents.rename(ana, bad)
    with pytest.raises(AccountError):
        console.gateway.agents.rename("nobody-here", "X")

    # on the command line: `civic agent add --display-name` and `civic agent name`
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    migrate(env["DATABASE_URL"])  # `civic agent` never migrates

    def civic(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "civic.cli", "agent", *args], input=PASSWORD + "\n",
            env=env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip

    assert civic("add", "lee", "--role", "agent", "--display-name", "Lee Chen").returncode == 0
    assert civic("name", "lee", "陈丽").returncode == 0
    listed = civic("list").stdout
    assert "陈丽" in listed and "Lee Chen" not in listed
