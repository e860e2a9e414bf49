"""Labelling, in the console, the questions the assistant declined (the guide that answers them,
or none): what the ticket shows, who may label, what is refused, and what `civic kb calibrate`
then reads. In-process gateway, real Redis and SQL; the decline is the outcome event the
gateway's drain stores (the real stack's version: tests/console/test_stack_handoff.py)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from bot.storage.models import OutcomeEvent, TranscriptMessage
from insights.question_labels import labelled_questions

from .conftest import Console

QUESTION = "can I renew my pasport at the post office? <b>urgent</b>"


async def declined(console: Console, conversation: str, text: str, kind: str = "declined") -> int:
    """The citizen asks; the assistant's outcome for that message is `kind`."""
    await console.citizen_says(conversation, text)
    db = console.gateway.db
    with db.session() as session:
        message_id = session.scalars(
            select(TranscriptMessage.id)
            .where(
                TranscriptMessage.citizen_id == f"rest:{conversation}",
                TranscriptMessage.text == text,
            )
            .order_by(TranscriptMessage.id.desc())
        ).first()
        assert message_id is not None
        session.add(OutcomeEvent(at=console.clock.now(), subject="x" * 32, kind=kind,
                                 channel="rest", lang="en", message_id=message_id))  # fmt: skip
    return int(message_id)


async def held_ticket(console: Console, conversation: str, agent: dict[str, str]) -> str:
    await console.citizen_says(conversation, "human")
    queue = (await console.client.get("/api/v1/agent/queue", headers=agent)).json()
    [item] = [t for t in queue["waiting"] if t["conversation_id"] == f"rest:{conversation}"]
    base = f"/api/v1/agent/tickets/{item['id']}"
    assert (await console.client.post(base + "/claim", headers=agent)).status_code == 200
    return base


async def test_label_a_declined_question_in_one_click(console: Console) -> None:
    ana, ben = console.add_agent("agent"), console.add_agent("agent")
    boss, clerk = console.add_agent("supervisor"), console.add_agent("caseworker")
    ana_h, ben_h = await console.login(ana), await console.login(ben)
    boss_h, clerk_h = await console.login(boss), await console.login(clerk)
    c = f"c-{uuid.uuid4().hex[:10]}"
    asked = await declined(console, c, QUESTION)
    offered = await declined(console, c, "where do I pay for parking fines", "clarified")
    await console.citizen_says(c, "hello")  # not a question the assistant failed on
    base = await held_ticket(console, c, ana_h)

    view = (await console.client.get(base, headers=ana_h)).json()
    questions = {q["message_id"]: q for q in view["unsettled"]}
    assert set(questions) == {asked, offered}
    first = questions[asked]
    assert (first["text"], first["outcome"], first["labelled"]) == (QUESTION, "declined", False)
    assert first["choices"][0]["guide_id"] == "passport"  # the suggestions for that question
    assert questions[offered]["outcome"] == "clarified"

    async def label(headers: dict[str, str], guide: str | None, message: int = asked) -> Any:
        return await console.client.post(
            base + "/labels", json={"message_id": message, "guide_id": guide}, headers=headers
        )

    saved = await label(ana_h, "passport")
    assert saved.status_code == 200, saved.text
    body = saved.json()
    assert (body["labelled"], body["guide"]["guide_id"], body["labelled_by"]) == (
        True, "passport", ana
    )  # fmt: skip
    assert body["guide"]["title"]
    assert (await label(ana_h, None, offered)).json()["guide"] is None  # "no guide answers it"
    again = (await console.client.get(base, headers=ana_h)).json()
    marks = {q["message_id"]: (q["labelled"], q["guide"]) for q in again["unsettled"]}
    assert marks[asked][0] and marks[asked][1]["guide_id"] == "passport"
    assert marks[offered] == (True, None)

    # refused: an unknown guide, a message that is not a failed question, someone else's ticket
    assert (await label(ana_h, "no-such-guide")).status_code == 422
    assert (await label(ana_h, "../../etc/passwd")).status_code == 422
    with console.gateway.db.session() as session:
        hello = session.scalars(
            select(TranscriptMessage.id).where(
                TranscriptMessage.citizen_id == f"rest:{c}", TranscriptMessage.text == "hello"
            )
        ).one()
    assert (await label(ana_h, None, hello)).status_code == 404
    other = f"c-{uuid.uuid4().hex[:10]}"
    elsewhere = await declined(console, other, "is there a dog park nearby")
    assert (await label(ana_h, None, elsewhere)).status_code == 404  # another conversation
    assert (await label(ben_h, None)).status_code == 404  # not ben's ticket
    assert (await label(clerk_h, None)).status_code == 403  # caseworkers have no desk
    anonymous = await console.client.post(base + "/labels", json={"message_id": asked})
    assert anonymous.status_code == 401
    changed = await label(boss_h, "service-centres")  # a supervisor may correct it
    assert changed.json()["labelled_by"] == boss

    # every guide, titled in the language asked for, for the "another guide" list
    zh = (await console.client.get("/api/v1/agent/guides?lang=zh", headers=ana_h)).json()
    titles = {g["guide_id"]: g["title"] for g in zh}
    assert "passport" in titles and any("\u4e00" <= ch <= "\u9fff" for ch in titles["passport"])
    assert (await console.client.get("/api/v1/agent/guides", headers=clerk_h)).status_code == 403

    # what `civic kb calibrate` reads: the text, its language, the guide (None: out of scope)
    found = {q.text: q.guide for q in labelled_questions(console.gateway.db)}
    assert found[QUESTION] == "service-centres"
    assert found["where do I pay for parking fines"] is None
    audit = console.gateway.agents.audit_entries(500)  # type: ignore[union-attr]
    assert any(e["action"] == "label_question" and e["actor"] == boss for e in audit)
