"""Unanswered-question clustering with the knowledge base's own models (real embeddings and
search, both languages): groups by meaning, sizes and trends to the unit, examples, nearest
guide, marks that survive a re-run, the guide diff, and questions gone with the transcript."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bot.outcomes.events import subject_of
from bot.settings import PROJECT_ROOT
from bot.storage.db import Database
from bot.storage.models import OutcomeEvent, QuestionCluster, TranscriptMessage
from insights import clusters as qc
from knowledge_base import KnowledgeBase

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)

QUESTIONS = [
    # (days ago, lang, text, kind)
    (1, "en", "How do I register my dog with the city?", "declined"),
    (2, "en", "Where can I get a licence for my dog?", "declined"),
    (9, "en", "Do I need a permit to keep a dog in my flat?", "clarified"),
    (3, "en", "Can I fly my drone over the lake park?", "declined"),
    (10, "en", "Is flying a drone allowed in city parks?", "declined"),
    (2, "zh", "养狗需要办什么证？", "declined"),
    (4, "zh", "狗证在哪里办理？", "declined"),
]


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    """The index the stack and the knowledge-base tests use (var/index/guides): built once
    (a build of its own embedded all 1,803 chunks again: over a minute of every CI run)."""
    guides = PROJECT_ROOT / "knowledge_base" / "guides"
    return KnowledgeBase.open(guides, PROJECT_ROOT / "var" / "index" / "guides")


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path}/q.db")
    database.migrate()
    yield database
    database.dispose()


def seed(db: Database, handed_off_after: int | None = None) -> list[int]:
    ids = []
    with db.session() as s:
        for n, (days, lang, text, kind) in enumerate(QUESTIONS):
            at = NOW - timedelta(days=days)
            citizen = f"web:{n}"
            message = TranscriptMessage(
                citizen_id=citizen, channel="web", sender="citizen", text=text, created_at=at
            )
            s.add(message)
            s.flush()
            ids.append(message.id)
            row = dict(subject=subject_of(citizen), channel="web", lang=lang, simple_mode=False)
            s.add(OutcomeEvent(at=at, kind=kind, message_id=message.id, **row))
            if handed_off_after == n:
                s.add(OutcomeEvent(at=at + timedelta(minutes=1), kind="handed_off", **row))
    return ids


def run(db: Database, kb: KnowledgeBase) -> dict[str, object]:
    def nearest(lang: str, text: str) -> tuple[str | None, float | None]:
        hits = kb.search(text, lang).hits
        return (hits[0].guide_id, hits[0].score) if hits else (None, None)

    return qc.run_clustering(db, NOW, days=28, embed=qc.kb_embed(), nearest=nearest)


def test_questions_group_by_meaning_in_each_language(db: Database, kb: KnowledgeBase) -> None:
    ids = seed(db, handed_off_after=0)
    questions = qc.unanswered(db, NOW - timedelta(days=28), NOW, 1800)
    assert [q.handed_off for q in questions].count(True) == 1
    assert run(db, kb) == {"questions": 7, "clusters": 3, "days": 28}
    found = qc.list_clusters(db)
    shape = sorted((c["lang"], c["size"], c["recent"], c["previous"], c["trend"]) for c in found)
    assert shape == [("en", 2, 1, 1, 0), ("en", 3, 2, 1, 1), ("zh", 2, 2, 0, 2)]
    dogs = next(c for c in found if c["lang"] == "en" and c["size"] == 3)
    assert set(dogs["examples"]) == {t for _, lang, t, _ in QUESTIONS[:3]}
    with db.session() as s:
        stored = {tuple(c.message_ids) for c in s.query(QuestionCluster)}
    assert stored == {tuple(ids[0:3]), tuple(ids[3:5]), tuple(ids[5:7])}
    for c in found:
        assert c["guide"] is not None and isinstance(c["guide_score"], float)
        assert c["status"] == "open"


def test_marks_survive_a_rerun_and_covered_gives_a_guide_diff(
    db: Database, kb: KnowledgeBase
) -> None:
    seed(db)
    run(db, kb)
    dogs = next(c for c in qc.list_clusters(db) if c["lang"] == "en" and c["size"] == 3)
    with pytest.raises(qc.MarkError):
        qc.mark(db, dogs["id"], "covered", "ed", NOW, None)
    with pytest.raises(qc.MarkError):
        qc.mark(db, dogs["id"], "covered", "ed", NOW, "no-such-guide")
    with pytest.raises(qc.MarkError):
        qc.mark(db, dogs["id"], "maybe", "ed", NOW, None)
    qc.mark(db, dogs["id"], "covered", "ed", NOW, "dog-registration")
    run(db, kb)  # a new run: new rows, the mark follows the questions
    again = next(c for c in qc.list_clusters(db) if c["lang"] == "en" and c["size"] == 3)
    assert (again["status"], again["covered_by"], again["marked_by"]) == (
        "covered",
        "dog-registration",
        "ed",
    )
    patch = qc.guide_patch(db, again["id"])
    assert patch.startswith("--- a/knowledge_base/guides/en/dog-registration.md\n")
    added = [line[5:].strip() for line in patch.splitlines() if line.startswith("+  - ")]
    assert added == [
        "How do I register my dog with the city?",
        "Where can I get a licence for my dog?",
        "Do I need a permit to keep a dog in my flat?",
    ]
    check = subprocess.run(
        ["git", "apply", "--check", "-"], input=patch, text=True, cwd=PROJECT_ROOT,
        capture_output=True, check=False,
    )  # fmt: skip
    assert check.returncode == 0, check.stderr


def test_questions_whose_transcript_is_gone_are_not_clustered(
    db: Database, kb: KnowledgeBase
) -> None:
    ids = seed(db)
    with db.session() as s:
        s.query(TranscriptMessage).filter(TranscriptMessage.id.in_(ids[3:])).delete()
    assert run(db, kb)["questions"] == 3
    assert [c["size"] for c in qc.list_clusters(db)] == [3]


def test_no_questions_no_clusters(db: Database) -> None:
    result = qc.run_clustering(db, NOW, embed=qc.kb_embed(), nearest=lambda _l, _t: (None, None))
    assert result == {"questions": 0, "clusters": 0, "days": 28}
    assert qc.list_clusters(db) == []
