"""Outcome events through the real stack: the action server marks its replies, the gateway
drops the marks, records the events with the turn and its drain moves them to SQL."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from bot.outcomes.events import subject_of
from bot.storage.db import Database
from bot.storage.models import OutcomeEvent, TranscriptMessage
from civic.stack import Stack

from .conftest import Citizen
from .test_forms import open_day

pytestmark = pytest.mark.integration


def events(db: Database, citizen: str, expected: int) -> list[OutcomeEvent]:
    deadline = time.monotonic() + 60
    while True:
        with db.session() as session:
            rows = session.scalars(
                select(OutcomeEvent)
                .where(OutcomeEvent.subject == subject_of(f"rest:{citizen}"))
                .order_by(OutcomeEvent.at, OutcomeEvent.id)
            ).all()
        if len(rows) >= expected or time.monotonic() > deadline:
            return list(rows)
        time.sleep(0.5)


def test_a_conversation_leaves_its_outcomes(stack: Stack) -> None:
    citizen = Citizen(stack, lang="en")
    citizen.say("How do I renew my passport?")
    citizen.say("What is the best recipe for chocolate cake?")
    day = open_day()
    citizen.say(f"I want to book an appointment on {day}, my mobile is 138 1234 5678")
    citizen.say("passport")
    citizen.say("25")  # not a time slot: refused
    citizen.say("10:30")
    citizen.say("Li Lei")
    reply = citizen.say("yes")
    assert "RC-" in str(reply)
    for message in citizen.history()["messages"]:
        assert not (message.get("custom") or {}).get("outcome"), message  # marks never shown
    db = Database(stack.config.database_url or f"sqlite:///{stack.config.var_dir / 'civic.db'}")
    try:
        citizen.say("human")
        rows = events(db, citizen.id, 10)
        kinds = [(e.kind, e.field, e.step) for e in rows]
        assert kinds[0][0] == "answered" and rows[0].guide
        assert kinds[1][0] in ("declined", "clarified")
        assert kinds[2:] == [
            ("form_started", None, None),
            ("form_step", "service", 1),
            ("form_step", "time_slot", 3),
            ("form_invalid", "time_slot", 3),
            ("form_step", "name", 4),
            ("form_summary", "summary", 6),
            ("form_submitted", None, None),
            ("handed_off", None, None),
        ]
        assert all((e.channel, e.lang, e.simple_mode) == ("rest", "en", False) for e in rows)
        with db.session() as session:
            asked = session.get(TranscriptMessage, rows[1].message_id)
            assert asked is not None and asked.text == "What is the best recipe for chocolate cake?"
        assert rows[-1].ticket_id is not None
    finally:
        db.dispose()
