"""Outcome events: made from a turn's marks and session change, queued in Redis, moved to SQL by
the drain (nothing lost when SQL refuses), counted in Prometheus, deleted by retention."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client import REGISTRY
from redis.asyncio import Redis
from sqlalchemy import select

from bot.errors import StoreUnavailable
from bot.messages import OutgoingMessage
from bot.outcomes import events as outcomes
from bot.storage import keys
from bot.storage.db import Database
from bot.storage.models import OutcomeEvent
from bot.storage.retention import run_retention
from bot.storage.sessions import Session

AT = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def test_marks_are_read_from_control_replies_and_unknown_kinds_ignored() -> None:
    replies = [
        OutgoingMessage(text="Here is the guide"),
        OutgoingMessage(text="", custom={"outcome": {"kind": "answered", "guide": "passport"}}),
        OutgoingMessage(text="", custom={"outcome": {"kind": "made_up"}}),
        OutgoingMessage(text="", custom={"misunderstood": True}),
    ]
    assert outcomes.markers(replies) == [{"kind": "answered", "guide": "passport"}]


def test_a_turn_gives_its_events_without_any_text() -> None:
    before = Session("telegram:42", "zh", channel="telegram", simple_mode=True)
    after = before.but(mode="waiting_for_agent", ticket_id=7)
    marks = [{"kind": "declined", "guide": "visa", "search_ms": 3.5}]
    rows = outcomes.events_of_turn(before, after, marks, 1234, AT)
    assert [r["kind"] for r in rows] == ["declined", "handed_off"]
    assert rows[0]["message_id"] == 1234 and rows[0]["guide"] == "visa"
    assert rows[1]["ticket_id"] == 7 and "message_id" not in rows[1]
    for row in rows:
        assert row["subject"] == outcomes.subject_of("telegram:42") != "telegram:42"
        assert (row["lang"], row["channel"], row["simple_mode"]) == ("zh", "telegram", True)
        assert "telegram:42" not in str(row)


def test_an_offer_instead_of_a_live_chat_is_a_request_for_a_person() -> None:
    before = Session("web:1", "en", channel="web")
    rows = outcomes.events_of_turn(before, before.but(pending="offer"), [], None, AT)
    assert [r["kind"] for r in rows] == ["person_offered"]
    again = outcomes.events_of_turn(
        before.but(pending="offer"), before.but(pending="offer"), [], 1, AT
    )
    assert again == []


def test_prometheus_counts_outcomes_steps_dropouts_and_search_time() -> None:
    def value(name: str, labels: dict[str, str]) -> float:
        return REGISTRY.get_sample_value(name, labels) or 0.0

    labels = {"outcome": "answered", "lang": "en", "channel": "promtest"}
    before = value("civic_bot_outcomes_total", labels)
    searched = value("civic_kb_search_seconds_count", {"lang": "en"})
    dropped = {"form": "promform", "step": "2", "reason": "cancelled"}
    steps = {"form": "promform", "step": "1"}
    base = {"lang": "en", "channel": "promtest", "subject": "s", "at": AT.isoformat()}
    outcomes.count(
        [
            {**base, "kind": "answered", "search_ms": 12.0},
            {**base, "kind": "answered"},
            {**base, "kind": "form_step", "form": "promform", "step": 1},
            {**base, "kind": "form_cancelled", "form": "promform", "step": 2},
        ]
    )
    assert value("civic_bot_outcomes_total", labels) == before + 2
    assert value("civic_kb_search_seconds_count", {"lang": "en"}) == searched + 1
    assert value("civic_bot_form_steps_total", steps) == 1
    assert value("civic_bot_form_dropouts_total", dropped) == 1


async def test_the_drain_moves_queued_events_to_sql(
    redis: Redis, db: Database, citizen: str
) -> None:
    await redis.delete(keys.outcome_events())
    session = Session(citizen, "en", channel="rest")
    marks = [{"kind": "form_step", "form": "register_birth", "field": "name", "step": 1}]
    rows = outcomes.events_of_turn(session, session, marks, 5, AT) * 3
    pipe = redis.pipeline()
    outcomes.queue_in(pipe, rows)
    await pipe.execute()
    drain = outcomes.OutcomeDrain(redis, db, batch=2)
    assert await drain.drain_once() == 3
    assert await redis.llen(keys.outcome_events()) == 0
    with db.session() as s:
        stored = s.scalars(
            select(OutcomeEvent).where(OutcomeEvent.subject == outcomes.subject_of(citizen))
        ).all()
        assert len(stored) == 3
        assert {(e.kind, e.form, e.field, e.step, e.at) for e in stored} == {
            ("form_step", "register_birth", "name", 1, AT)
        }
        assert all(e.message_id is None for e in stored)  # not a question: no message


async def test_events_sql_refuses_go_back_to_the_queue(
    redis: Redis, db: Database, citizen: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    await redis.delete(keys.outcome_events())
    session = Session(citizen, "en")
    rows = outcomes.events_of_turn(session, session, [{"kind": "declined"}], 9, AT)
    pipe = redis.pipeline()
    outcomes.queue_in(pipe, rows * 2)
    await pipe.execute()
    drain = outcomes.OutcomeDrain(redis, db)

    def refuse(_rows: object) -> None:
        raise StoreUnavailable("database error: OperationalError")

    monkeypatch.setattr(drain, "_store", refuse)
    with pytest.raises(StoreUnavailable):
        await drain.drain_once()
    assert await redis.llen(keys.outcome_events()) == 2
    monkeypatch.undo()
    assert await drain.drain_once() == 2


def test_retention_deletes_old_outcome_events(db: Database, citizen: str) -> None:
    subject = outcomes.subject_of(citizen)
    now = datetime(2027, 6, 1, tzinfo=UTC)
    with db.session() as s:
        for age in (400, 10):
            s.add(
                OutcomeEvent(
                    at=now - timedelta(days=age), subject=subject, kind="answered",
                    channel="rest", lang="en", simple_mode=False,
                )
            )  # fmt: skip
    result = run_retention(db, now, 365)
    assert result.outcome_events >= 1
    with db.session() as s:
        ages = s.scalars(select(OutcomeEvent.at).where(OutcomeEvent.subject == subject)).all()
    assert ages == [now - timedelta(days=10)]
