"""Cases in SQL on every backend: references, ownership, retries, concurrent replicas."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.cases.case import CaseInputError
from bot.cases.store import CaseStore
from bot.errors import NotFound
from bot.storage.db import Database

from .conftest import FakeClock

ANSWERS = {"type": "pothole", "phone": "13812345678", "location": {"lat": 30.2, "lon": 120.1}}


def test_a_case_gets_a_readable_reference_and_keeps_its_answers(
    db: Database, clock: FakeClock, citizen: str
) -> None:
    store = CaseStore(db, clock)
    case = store.create(citizen, "report_street_problem", ANSWERS, "telegram", "zh", "k-" + citizen)
    assert re.fullmatch(r"RC-2026-\d{6}", case.reference)
    again = store.get(case.reference, citizen)
    assert again.answers == ANSWERS and again.channel == "telegram" and again.lang == "zh"
    assert again.status == "received" and again.created_at == clock.now()
    assert again.created_at.tzinfo is not None


def test_a_citizen_sees_only_their_own_cases(db: Database, clock: FakeClock, citizen: str) -> None:
    store = CaseStore(db, clock)
    case = store.create(citizen, "book_appointment", {"name": "Li"}, "rest", "en")
    with pytest.raises(NotFound):
        store.get(case.reference, citizen + "-someone-else")
    assert store.for_citizen(citizen + "-someone-else") == []
    assert [c.reference for c in store.for_citizen(citizen)] == [case.reference]


def test_a_retried_submission_is_stored_once(db: Database, clock: FakeClock, citizen: str) -> None:
    store = CaseStore(db, clock)
    first = store.create(citizen, "register_birth", {"x": 1}, "rest", "en", "draft-" + citizen)
    second = store.create(citizen, "register_birth", {"x": 1}, "rest", "en", "draft-" + citizen)
    assert first.reference == second.reference
    assert len(store.for_citizen(citizen)) == 1


def test_concurrent_submissions_never_share_a_reference(
    db: Database, clock: FakeClock, citizen: str
) -> None:
    # two "replicas": separate Database objects (engines) on the same database
    other = Database(db.url)
    try:
        stores = [CaseStore(db, clock), CaseStore(other, clock)]
        with ThreadPoolExecutor(8) as pool:
            cases = list(
                pool.map(
                    lambda i: stores[i % 2].create(
                        citizen, "report_street_problem", {"i": i}, "rest", "en"
                    ),
                    range(24),
                )
            )
    finally:
        other.dispose()
    references = [c.reference for c in cases]
    assert len(set(references)) == 24


def test_status_changes_are_visible(db: Database, clock: FakeClock, citizen: str) -> None:
    store = CaseStore(db, clock)
    case = store.create(citizen, "renew_residence_permit", {}, "rest", "en")
    clock.advance(3600)
    store.change_status(case.reference, "in_review", "agent:ana")
    updated = store.get(case.reference, citizen)
    assert updated.status == "in_review" and updated.updated_at > updated.created_at
    with pytest.raises(CaseInputError):
        store.change_status(case.reference, "lost", "agent:ana")
