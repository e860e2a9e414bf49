"""`civic kb calibrate` on the questions agents labelled in the console (a city's own
calibration): the labels are read from the database, a label whose guide is gone is dropped,
and the decision model is fitted and written."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from kb_testdata import ROOT

from bot.storage.db import Database
from bot.storage.models import OutcomeEvent, TranscriptMessage
from civic.kb_cli import main
from insights.question_labels import set_label
from knowledge_base import KnowledgeBase, read_queries
from knowledge_base.dataset import split_queries


def test_calibrate_on_the_agents_labels(
    kb: KnowledgeBase,  # the shared index, built or brought up to date
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = f"sqlite:///{tmp_path / 'civic.db'}"
    db = Database(url)
    db.migrate()
    asked = read_queries(ROOT / "knowledge_base" / "dev" / "queries-en.jsonl")[:40]
    now = datetime.now(UTC)
    rows = [(q.query, q.relevant[0] if q.relevant else None) for q in asked]
    rows.append(("can I moor my boat at the city pier", "boat-mooring"))  # that guide is gone
    for text, guide in rows:
        citizen = f"rest:{uuid.uuid4().hex}"
        with db.session() as session:
            message = TranscriptMessage(citizen_id=citizen, channel="rest", sender="citizen",
                                        text=text, created_at=now)  # fmt: skip
            session.add(message)
            session.flush()
            session.add(OutcomeEvent(at=now, subject="s" * 32, kind="declined", channel="rest",
                                     lang="en", message_id=message.id))  # fmt: skip
            message_id = message.id
        assert set_label(db, citizen, message_id, guide, None, "ana", now) is not None
    db.dispose()
    target = tmp_path / "calibration.json"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("CIVIC_KB_CALIBRATION", str(target))

    assert main(["kb", "calibrate", "--no-dev"]) == 0
    out = capsys.readouterr().out
    assert "0 development queries, 41 labelled by agents; 1 dropped (their guide is gone)" in out
    written = json.loads(target.read_text("utf-8"))
    calibration, _ = split_queries(asked)
    assert written["kind"] == "calibration"
    assert written["queries"] == {"en": len(calibration)}
    assert set(written["languages"]) == {"en"}
    assert "held-out en" in out

    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg2://nobody@127.0.0.1:9/down")
    assert main(["kb", "calibrate", "--no-dev"]) == 2  # the labels cannot be read: says so
    assert "--no-labels" in capsys.readouterr().err
