"""The agent desk through the console's API in-process: availability and automatic
assignment with acceptance, the citizen's side of the queue, management of accounts and canned
replies by supervisors (and nobody else), all audited."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from .conftest import PASSWORD, Console


@pytest.fixture(autouse=True)
def auto_assignment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVIC_ASSIGNMENT", "auto")
    monkeypatch.setenv("CIVIC_ACCEPT_TIMEOUT_S", "60")
    monkeypatch.setenv("CIVIC_DESK_TICK_S", "3600")  # the test runs the ticks itself


def conversation() -> str:
    return f"c-{uuid.uuid4().hex[:10]}"


def texts(body: dict[str, Any]) -> list[str]:
    return [m["text"] for m in body["messages"]]


async def test_assignment_acceptance_and_the_citizen_side(console: Console) -> None:
    client, desk = console.client, console.gateway.desk
    assert desk is not None
    ana = console.add_agent("agent")
    ana_h = await console.login(ana)
    c = conversation()
    await console.citizen_says(c, "human")  # nobody online: waits
    for asked in ("/start", "/help", "human", "0", "/human"):
        again = texts(await console.citizen_says(c, asked))
        assert len(again) == 1 and re.fullmatch(
            r"You are still in the queue for a person: number 1\. The wait is about \d+ min\. "
            r"Write 'cancel' to stop waiting\.",
            again[0],
        ), (asked, again)
    chinese = await console.citizen_says(c, "人工", lang="zh")
    assert texts(chinese)[0].startswith("您仍在排队等人工客服。您排在第1位")
    status = await client.post("/api/v1/agent/status", json={"status": "online"}, headers=ana_h)
    assert status.json() == {"status": "online"}
    [held] = (await client.get("/api/v1/agent/queue", headers=ana_h)).json()["held"]
    assert held["agent"] == ana and held["accepted"] is False
    assert held["accept_within_s"] == 60
    tid = held["id"]
    assert (await console.citizen_reads(c))["state"]["mode"] == "waiting_for_agent"
    opened = await client.get(f"/api/v1/agent/tickets/{tid}", headers=ana_h)  # accepts
    assert [e["kind"] for e in opened.json()["events"]][-2:] == ["assigned", "accepted"]
    assert (await console.citizen_reads(c))["state"]["mode"] == "with_agent"
    [held] = (await client.get("/api/v1/agent/queue", headers=ana_h)).json()["held"]
    assert held["accepted"] is True and held["accept_within_s"] is None
    # with an agent: /start and /help are answered, everything else is for the agent
    helped = await console.citizen_says(c, "/help", lang="en")
    assert texts(helped) == [
        "A person from our team is with you in this chat. Write your message here."
    ]
    zero = await console.citizen_says(c, "0")
    assert zero["messages"] == []
    view = (await client.get(f"/api/v1/agent/tickets/{tid}", headers=ana_h)).json()
    assert [e["kind"] for e in view["events"]].count("citizen_replied") >= 1
    # no agent reply for three minutes: told once that the agent is still there
    console.clock.advance(179)
    await desk.sweep()
    console.clock.advance(2)
    await desk.sweep()
    console.clock.advance(60)
    await desk.sweep()
    read = await console.citizen_reads(c)
    still = [m for m in read["messages"] if "still here" in m["text"]]
    assert [m["text"] for m in still] == [
        "The person helping you is still here and will answer soon."
    ]
    out = await client.post("/api/v1/agent/logout", headers=ana_h)
    assert out.status_code == 204
    assert await desk.availability.status(ana) == "offline"


async def test_not_accepted_goes_back_and_the_agent_is_away(console: Console) -> None:
    client, desk = console.client, console.gateway.desk
    assert desk is not None
    ana = console.add_agent("agent")
    ana_h = await console.login(ana)
    await client.post("/api/v1/agent/status", json={"status": "online"}, headers=ana_h)
    c = conversation()
    await console.citizen_says(c, "human")
    [held] = (await client.get("/api/v1/agent/queue", headers=ana_h)).json()["held"]
    console.clock.advance(40)
    beat = await client.post("/api/v1/agent/heartbeat", json={"active": False}, headers=ana_h)
    assert beat.json() == {"status": "online"}
    console.clock.advance(21)
    await desk.tick()
    queue = (await client.get("/api/v1/agent/queue", headers=ana_h)).json()
    assert queue["held"] == [] and [t["id"] for t in queue["waiting"]] == [held["id"]]
    beat = await client.post("/api/v1/agent/heartbeat", json={"active": True}, headers=ana_h)
    assert beat.json() == {"status": "away"}
    late = await client.post(f"/api/v1/agent/tickets/{held['id']}/accept", headers=ana_h)
    assert late.status_code == 409


async def test_management_by_supervisors_only(console: Console) -> None:
    client = console.client
    boss = console.add_agent("supervisor")
    boss_h = await console.login(boss)
    agent_h = await console.login(console.add_agent("agent"))
    routes = [
        ("GET", "/api/v1/manage/accounts", None),
        ("POST", "/api/v1/manage/accounts", {"username": "zz-x", "role": "agent"}),
        ("POST", f"/api/v1/manage/accounts/{boss}", {"capacity": 1}),
        ("POST", f"/api/v1/manage/accounts/{boss}/reset-password", None),
        ("GET", "/api/v1/manage/canned", None),
        ("POST", "/api/v1/manage/canned", {"lang": "en", "title": "t", "text": "x"}),
        ("POST", "/api/v1/manage/canned/1", {"lang": "en", "title": "t", "text": "x"}),
        ("POST", "/api/v1/manage/canned/1/delete", None),
        ("GET", "/api/v1/agent/presence", None),
    ]
    paths = {p for p in (await client.get("/openapi.json")).json()["paths"] if "/manage/" in p}
    assert len(paths) == 6  # every management route is in the list above
    for method, path, body in routes[:-1]:
        refused = await client.request(method, path, json=body, headers=agent_h)
        assert refused.status_code == 403, (method, path)
        assert (await client.request(method, path, json=body)).status_code == 401

    # add an account: the set-password link is shown once
    name = f"new-{uuid.uuid4().hex[:6]}"
    added = await client.post(
        "/api/v1/manage/accounts",
        json={"username": name, "role": "agent", "team": "documents", "capacity": 2,
              "languages": ["zh"]},
        headers=boss_h,
    )  # fmt: skip
    assert added.status_code == 201, added.text
    body = added.json()
    assert body["account"]["languages"] == ["zh"] and body["account"]["status"] == "offline"
    token = body["set_password_url"].split("#token=", 1)[1]
    again = await client.post(
        "/api/v1/manage/accounts", json={"username": name, "role": "agent"}, headers=boss_h
    )
    assert again.status_code == 409
    no_password = await client.post(
        "/api/v1/agent/login", json={"username": name, "password": PASSWORD}
    )
    assert no_password.status_code == 401
    short = await client.post("/api/v1/agent/set-password", json={"token": token, "password": "x"})
    assert short.status_code == 422
    done = await client.post(
        "/api/v1/agent/set-password", json={"token": token, "password": PASSWORD}
    )
    assert done.status_code == 204
    reused = await client.post(
        "/api/v1/agent/set-password", json={"token": token, "password": PASSWORD}
    )
    assert reused.status_code == 422
    new_h = await console.login(name)
    me = (await client.get("/api/v1/agent/me", headers=new_h)).json()["agent"]
    assert (me["role"], me["team"], me["console_lang"]) == ("agent", "documents", None)

    # the console language is remembered with the account
    lang = await client.post("/api/v1/agent/console-lang", json={"lang": "zh"}, headers=new_h)
    assert lang.status_code == 204
    assert (await client.get("/api/v1/agent/me", headers=new_h)).json()["agent"][
        "console_lang"
    ] == "zh"
    assert (await console.login(name)) and (
        await client.get("/api/v1/agent/me", headers=await console.login(name))
    ).json()["agent"]["console_lang"] == "zh"

    # capacity and languages change without a new login; role and team end the sessions
    changed = await client.post(
        f"/api/v1/manage/accounts/{name}",
        json={"capacity": 4, "languages": ["zh", "en"]},
        headers=boss_h,
    )
    assert changed.json()["capacity"] == 4
    assert (await client.get("/api/v1/agent/queue", headers=new_h)).status_code == 200
    bad = await client.post(
        f"/api/v1/manage/accounts/{name}", json={"role": "admin"}, headers=boss_h
    )
    assert bad.status_code == 422
    promoted = await client.post(
        f"/api/v1/manage/accounts/{name}", json={"role": "editor"}, headers=boss_h
    )
    assert promoted.json()["role"] == "editor"
    assert (await client.get("/api/v1/agent/queue", headers=new_h)).status_code == 401
    editor_h = await console.login(name)
    assert (await client.get("/api/v1/agent/queue", headers=editor_h)).status_code == 403
    disabled = await client.post(
        f"/api/v1/manage/accounts/{name}", json={"active": False}, headers=boss_h
    )
    assert disabled.json()["active"] is False
    assert (await client.get("/api/v1/agent/me", headers=editor_h)).status_code == 401
    refused = await client.post(
        "/api/v1/agent/login", json={"username": name, "password": PASSWORD}
    )
    assert refused.status_code == 401
    await client.post(f"/api/v1/manage/accounts/{name}", json={"active": True}, headers=boss_h)
    back_h = await console.login(name)
    # a reset: the old password stops at once, the new link sets another
    reset = await client.post(f"/api/v1/manage/accounts/{name}/reset-password", headers=boss_h)
    assert reset.status_code == 200
    assert (await client.get("/api/v1/agent/me", headers=back_h)).status_code == 401
    old = await client.post("/api/v1/agent/login", json={"username": name, "password": PASSWORD})
    assert old.status_code == 401
    selfish = await client.post(
        f"/api/v1/manage/accounts/{boss}", json={"active": False}, headers=boss_h
    )
    assert selfish.status_code == 409
    missing = await client.post(
        "/api/v1/manage/accounts/nobody-here", json={"capacity": 1}, headers=boss_h
    )
    assert missing.status_code == 404
    accounts = (await client.get("/api/v1/manage/accounts", headers=boss_h)).json()
    listed = {a["username"] for a in accounts}
    assert {boss, name} <= listed
    audit = (await client.get("/api/v1/reports/audit", headers=boss_h)).json()
    actions = [(e["action"], e["target"]) for e in audit if e["actor"] in (boss, name)]
    for expected in ("agent_added", "password_link", "password_set", "agent_changed",
                     "agent_disabled", "agent_enabled", "password_reset"):  # fmt: skip
        assert (expected, name) in actions, expected


async def test_canned_replies_per_team_and_language_with_placeholders(console: Console) -> None:
    client = console.client
    boss_h = await console.login(console.add_agent("supervisor"))
    docs = console.add_agent("agent", "documents")
    general = console.add_agent("agent", "general")
    docs_h, general_h = await console.login(docs), await console.login(general)
    seeded = (await client.get("/api/v1/agent/canned", headers=general_h)).json()
    assert {"greeting", "goodbye"} <= {c["title"] for c in seeded}  # from the old YAML file
    title = f"hello-{uuid.uuid4().hex[:6]}"
    unknown = await client.post(
        "/api/v1/manage/canned",
        json={"team": "documents", "lang": "zh", "title": title, "text": "您好{nam}"},
        headers=boss_h,
    )
    assert unknown.status_code == 422 and "{nam}" in unknown.json()["error"]["message"]
    for lang, text in (("zh", "{name}您好，我是{agent}。编号{ticket}。"),
                       ("en", "Hello {name}, I am {agent} ({ticket}).")):  # fmt: skip
        made = await client.post(
            "/api/v1/manage/canned",
            json={"team": "documents", "lang": lang, "title": title, "text": text},
            headers=boss_h,
        )
        assert made.status_code == 201, made.text
    mine = (await client.get("/api/v1/agent/canned", headers=docs_h)).json()
    assert {c["title"]: c for c in mine}[title]["text"]["en"] == (
        "Hello {name}, I am {agent} ({ticket})."
    )
    others = (await client.get("/api/v1/agent/canned", headers=general_h)).json()
    assert title not in {c["title"] for c in others}
    # filled for a held ticket (the citizen's name is unknown: no gap left); a supervisor
    # sees every team's replies
    c = conversation()
    await console.citizen_says(c, "human")
    await client.post("/api/v1/agent/status", json={"status": "online"}, headers=general_h)
    [held] = (await client.get("/api/v1/agent/queue", headers=general_h)).json()["held"]
    tid = held["id"]
    answer = await client.get("/api/v1/agent/canned", params={"ticket_id": tid}, headers=boss_h)
    filled = {c["title"]: c for c in answer.json()}
    assert filled[title]["text"]["en"] == f"Hello, I am {general} (H-{tid})."
    assert filled[title]["text"]["zh"] == f"您好，我是{general}。编号H-{tid}。"
    raw = await client.get("/api/v1/agent/canned", params={"ticket_id": tid}, headers=docs_h)
    assert "{agent}" in {c["title"]: c for c in raw.json()}[title]["text"]["en"]  # not theirs
    reply_id = filled[title]["ids"]["en"]
    edited = await client.post(
        f"/api/v1/manage/canned/{reply_id}",
        json={"team": "documents", "lang": "en", "title": title, "text": "Hi {agent}"},
        headers=boss_h,
    )
    assert edited.json()["text"] == "Hi {agent}"
    gone = await client.post(f"/api/v1/manage/canned/{reply_id}/delete", headers=boss_h)
    assert gone.status_code == 204
    again = await client.post(f"/api/v1/manage/canned/{reply_id}/delete", headers=boss_h)
    assert again.status_code == 404
