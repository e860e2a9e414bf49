"""The insights routes: who may read what, a handoff recorded by the gateway as it happens and
counted in the outcomes, CSV with one row per data point, a heat-map cell's tickets, the
editors' marks (audited) and the guide diff."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import timedelta

from sqlalchemy import select

from bot.agents.models import AuditEntry
from bot.outcomes.events import OutcomeDrain, subject_of
from bot.storage.models import OutcomeEvent, QuestionCluster, TranscriptMessage

from .conftest import Console

SUPERVISOR_ROUTES = ["outcomes", "satisfaction", "funnel", "demand", "pickup", "forecast"]
EDITOR_ROUTES = ["guides", "questions"]


async def test_roles(console: Console) -> None:
    agent = await console.login(console.add_agent("agent"))
    editor = await console.login(console.add_agent("editor"))
    boss = await console.login(console.add_agent("supervisor"))
    for name in SUPERVISOR_ROUTES + EDITOR_ROUTES:
        url = f"/api/v1/insights/{name}"
        assert (await console.client.get(url)).status_code == 401
        assert (await console.client.get(url, headers=agent)).status_code == 403, name
        expected = 200 if name in EDITOR_ROUTES else 403
        assert (await console.client.get(url, headers=editor)).status_code == expected, name
        assert (await console.client.get(url, headers=boss)).status_code == 200, name


async def test_a_handoff_is_recorded_and_counted(console: Console) -> None:
    gw = console.gateway
    conversation = f"insights-{uuid.uuid4().hex[:8]}"
    reply = await console.citizen_says(conversation, "human")  # Rasa is down: the gateway opens it
    assert reply["state"]["mode"] == "waiting_for_agent"
    await OutcomeDrain(gw.redis, gw.db).drain_once()
    subject = subject_of(f"rest:{conversation}")
    with gw.db.session() as s:
        events = s.scalars(select(OutcomeEvent).where(OutcomeEvent.subject == subject)).all()
        assert [(e.kind, e.channel, e.lang) for e in events] == [("handed_off", "rest", "en")]
        assert events[0].ticket_id is not None and events[0].at == console.clock.now()
    boss = await console.login(console.add_agent("supervisor"))
    now = console.clock.now()
    window = {
        "from": (now - timedelta(seconds=1)).isoformat(),
        "to": (now + timedelta(seconds=1)).isoformat(),
    }
    body = (
        await console.client.get("/api/v1/insights/outcomes", params=window, headers=boss)
    ).json()
    day = body["days"][0]
    assert (day["handed_off"], day["sessions"]) == (1, 0)  # no question or form: not counted
    csv_text = (
        await console.client.get(
            "/api/v1/insights/outcomes", params={**window, "format": "csv"}, headers=boss
        )
    ).text
    rows = list(csv.reader(io.StringIO(csv_text)))
    assert rows[0][:4] == ["day", "answered", "clarified", "declined"]
    assert len(rows) == 1 + len(body["days"])  # one row per data point
    satisfaction = await console.client.get(
        "/api/v1/insights/satisfaction", params={**window, "format": "csv"}, headers=boss
    )
    table = list(csv.reader(io.StringIO(satisfaction.text)))
    assert table[0][:5] == ["day", "handoff_ratings", "handoff_mean", "case_ratings", "case_mean"]
    assert len(table) == 1 + len(body["days"]) == 1 + len(body["case_ratings"])
    assert len(body["handoff_ratings"]) == len(body["days"])
    console.clock.advance(60)
    demand = (await console.client.get("/api/v1/insights/demand", headers=boss)).json()
    cell = next(c for c in demand["cells"] if events[0].ticket_id in c["tickets"])
    opened = await console.client.get(
        "/api/v1/insights/demand/tickets",
        params={"weekday": cell["weekday"], "hour": cell["hour"]},
        headers=boss,
    )
    assert events[0].ticket_id in [t["id"] for t in opened.json()["tickets"]]
    assert "citizen_id" not in opened.text and conversation not in opened.text
    heat = (await console.client.get("/api/v1/insights/demand?format=csv", headers=boss)).text
    assert len(heat.strip().splitlines()) == 1 + 7 * 24


async def test_editors_mark_groups_and_get_the_guide_diff(console: Console) -> None:
    gw = console.gateway
    now = console.clock.now()
    with gw.db.session() as s:
        message = TranscriptMessage(
            citizen_id="web:x",
            channel="web",
            sender="citizen",
            text='=HYPERLINK("x") dog tag lost',
            created_at=now,
        )
        s.add(message)
        s.flush()
        cluster = QuestionCluster(
            run_at=now,
            lang="en",
            size=1,
            recent=1,
            previous=0,
            message_ids=[message.id],
            examples=[message.id],
            guide="dog-registration",
            guide_score=0.5,
            status="open",
        )
        s.add(cluster)
        s.flush()
        cluster_id = cluster.id
    editor_name = console.add_agent("editor")
    editor = await console.login(editor_name)
    url = f"/api/v1/insights/questions/{cluster_id}"
    bad = await console.client.post(
        f"{url}/mark", json={"status": "covered", "guide": "nope"}, headers=editor
    )
    assert bad.status_code == 422
    ok = await console.client.post(
        f"{url}/mark", json={"status": "covered", "guide": "dog-registration"}, headers=editor
    )
    assert ok.status_code == 200, ok.text
    listed = (await console.client.get("/api/v1/insights/questions", headers=editor)).json()
    mine = next(c for c in listed["clusters"] if c["id"] == cluster_id)
    assert (mine["status"], mine["covered_by"], mine["marked_by"]) == (
        "covered",
        "dog-registration",
        editor_name,
    )
    exported = await console.client.get("/api/v1/insights/questions?format=csv", headers=editor)
    assert "'=HYPERLINK" in exported.text  # a formula is defused in the spreadsheet
    diff = await console.client.get(f"{url}/patch", headers=editor)
    assert diff.status_code == 200
    assert '+  - "=HYPERLINK(\\"x\\") dog tag lost"' in diff.text
    with gw.db.session() as s:
        audited = s.scalars(
            select(AuditEntry).where(
                AuditEntry.actor == editor_name, AuditEntry.action == "cluster_marked"
            )
        ).all()
        assert [a.target for a in audited] == [str(cluster_id)]
