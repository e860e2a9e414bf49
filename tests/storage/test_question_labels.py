"""Two agents labelling the same question at the same moment: the unique message id refuses
the second insert, and the label is written again over the colleague's (the newer wins)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.storage.db import Database
from bot.storage.models import OutcomeEvent, QuestionLabel, TranscriptMessage
from insights import question_labels

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def test_a_label_written_meanwhile_is_overwritten(
    db: Database, citizen: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with db.session() as session:
        message = TranscriptMessage(citizen_id=citizen, channel="rest", sender="citizen",
                                    text="can I moor a boat here?", created_at=NOW)  # fmt: skip
        session.add(message)
        session.flush()
        message_id = message.id
        session.add(OutcomeEvent(at=NOW, subject="s", kind="declined", channel="rest",
                                 lang="en", message_id=message_id))  # fmt: skip
    added: list[object] = []
    add = Session.add

    def add_label(session: Session, instance: object, *args: object, **kwargs: object) -> None:
        if isinstance(instance, QuestionLabel):
            added.append(instance)
            if len(added) == 1:  # the colleague's label lands between our read and our insert
                assert question_labels.set_label(db, citizen, message_id, "passport", 7, "ben", NOW)
        add(session, instance, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Session, "add", add_label)
    saved = question_labels.set_label(db, citizen, message_id, None, 7, "ana", NOW)
    monkeypatch.undo()
    assert saved is not None and (saved.labelled_by, saved.guide) == ("ana", None)
    with db.session() as session:
        rows = session.scalars(
            select(QuestionLabel).where(QuestionLabel.message_id == message_id)
        ).all()
        assert [(r.labelled_by, r.guide) for r in rows] == [("ana", None)]
    assert len(added) == 2  # ours (refused: the colleague's came first), the colleague's
