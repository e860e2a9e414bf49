"""Cases moving along their workflow, on every SQL backend: the event log, no-ops, illegal
moves, department scoping, notifications waiting for office hours, the citizen's additions,
ratings and reviews, SLA time in business hours paused while waiting for the citizen."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cases.case import CaseInputError
from bot.cases.models import CaseNotification, OutboxEntry
from bot.cases.store import CaseStore
from bot.cases.workflow import (
    IllegalTransition,
    Workflow,
    WorkflowError,
    build,
    forms_dir,
    load_workflows,
    workflow_for,
)
from bot.errors import NotFound
from bot.handoff.office_hours import OfficeHours
from bot.storage.db import Database

from .conftest import FakeClock

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def with_webhook(form: str) -> Workflow:
    return replace(workflow_for(form), webhook_url="http://127.0.0.1:9/x", webhook_secret=SECRET)


def test_the_shipped_workflows_load_and_declare_snake_case_statuses() -> None:
    flows = load_workflows(forms_dir(), {})
    assert set(flows) >= {
        "report_street_problem", "book_appointment", "apply_old_age_allowance",
        "renew_residence_permit", "register_birth",
    }  # fmt: skip
    street = flows["report_street_problem"]
    assert street.initial == "received" and street.team == "city-works" and street.sla_hours == 16
    assert street.transitions["in_review"] == (
        "more_information_needed", "approved", "rejected", "closed",
    )  # fmt: skip
    assert street.waits("more_information_needed") and street.status("approved").final
    for flow in flows.values():
        for status in flow.statuses:
            assert status.islower() and " " not in status
        for template in flow.notify.values():
            assert template.text["en"] and template.text["zh"]


def test_a_malformed_workflow_is_refused_with_its_place(tmp_path: Path) -> None:
    base = {
        "initial": "received",
        "statuses": {"received": {"en": "r", "zh": "收"}, "done": {"en": "d", "zh": "完"}},
        "transitions": {"received": ["done"]},
    }
    title = {"en": "t", "zh": "标"}
    build("f", title, base, {}, "x.yml")
    with pytest.raises(WorkflowError, match="unknown placeholder"):
        build("f", title, base, {"notify": {"done": {"en": "{who}", "zh": "好"}}}, "f.yml")
    with pytest.raises(WorkflowError, match="unknown status"):
        build("f", title, base, {"transitions": {"received": ["nowhere"]}}, "f.yml")
    with pytest.raises(WorkflowError, match="snake_case"):
        build("f", title, {**base, "statuses": {"In Review": {"en": "a", "zh": "b"}}}, {}, "f")
    with pytest.raises(WorkflowError, match="'en' and a 'zh'"):
        build("f", title, base, {"notify": {"done": {"en": "only english"}}}, "f.yml")


def test_webhook_settings_are_checked() -> None:
    from bot.errors import ConfigError

    env = {"CIVIC_WEBHOOK_URL_BOOK_APPOINTMENT": "http://127.0.0.1:1/hook"}
    with pytest.raises(ConfigError, match="CIVIC_WEBHOOK_SECRET_BOOK_APPOINTMENT"):
        load_workflows(forms_dir(), env)
    env["CIVIC_WEBHOOK_SECRET_BOOK_APPOINTMENT"] = SECRET
    flows = load_workflows(forms_dir(), env)
    assert flows["book_appointment"].webhook_url == "http://127.0.0.1:1/hook"
    assert flows["register_birth"].webhook_url is None


def test_every_move_is_logged_and_the_workflow_is_enforced(
    db: Database, clock: FakeClock, citizen: str
) -> None:
    store = CaseStore(db, clock)
    case = store.create(citizen, "book_appointment", {"name": "Li"}, "rest", "en")
    clock.advance(60)
    change = store.change_status(case.reference, "in_review", "agent:ana", "Looking at it")
    assert change.changed and change.case.status == "in_review"
    again = store.change_status(case.reference, "in_review", "department:works")
    assert not again.changed  # the same status again: nothing happens
    with pytest.raises(IllegalTransition) as illegal:
        store.change_status(case.reference, "received", "agent:ana")
    assert "approved" in illegal.value.allowed
    clock.advance(60)
    store.change_status(case.reference, "approved", "department:works", "All good")
    history = store.history(case.reference)
    moves = [(e.kind, e.actor, e.from_status, e.to_status, e.note) for e in history]
    assert moves == [
        ("created", "citizen", None, "received", None),
        ("status", "agent:ana", "received", "in_review", "Looking at it"),
        ("status", "department:works", "in_review", "approved", "All good"),
    ]
    assert store.find(case.reference).closed_at == clock.now()
    with db.session() as session:
        told = session.scalars(
            select(CaseNotification.status).where(CaseNotification.case_id == case.id)
        ).all()
    assert list(told) == ["in_review", "approved"]  # the no-op told nobody


def test_a_department_sees_only_its_own_forms(db: Database, clock: FakeClock, citizen: str) -> None:
    store = CaseStore(db, clock)
    case = store.create(citizen, "register_birth", {}, "rest", "zh")
    with pytest.raises(NotFound):
        store.change_status(
            case.reference, "in_review", "department:works",
            forms=frozenset({"report_street_problem"}),
        )  # fmt: skip
    with pytest.raises(NotFound):  # an unknown status does not reveal the case either
        store.change_status(
            case.reference, "nonsense", "department:works",
            forms=frozenset({"report_street_problem"}),
        )  # fmt: skip
    assert store.find(case.reference).status == "received"
    assert len(store.history(case.reference)) == 1


def test_outside_office_hours_the_citizen_is_told_at_the_opening_unless_urgent(
    db: Database, clock: FakeClock, citizen: str
) -> None:
    hours = OfficeHours.parse("mon-fri 09:00-17:00")
    clock.current = datetime(2026, 11, 6, 20, 0, tzinfo=UTC)  # a Friday evening
    store = CaseStore(db, clock, hours)
    case = store.create(citizen, "book_appointment", {}, "rest", "en")
    store.change_status(case.reference, "in_review", "agent:ana")
    store.change_status(case.reference, "approved", "agent:ana", urgent=True)
    with db.session() as session:
        due = session.execute(
            select(CaseNotification.status, CaseNotification.due_at, CaseNotification.urgent)
            .where(CaseNotification.case_id == case.id)
            .order_by(CaseNotification.id)
        ).all()
    assert due[0] == ("in_review", datetime(2026, 11, 9, 9, 0, tzinfo=UTC), False)  # Monday
    assert due[1] == ("approved", clock.now(), True)


def test_more_information_goes_to_the_case_and_back_to_review_and_the_department(
    db: Database, clock: FakeClock, citizen: str
) -> None:
    store = CaseStore(db, clock, workflows=with_webhook)
    case = store.create(citizen, "report_street_problem", {"type": "pothole"}, "telegram", "zh")
    store.change_status(case.reference, "in_review", "agent:ana")
    with pytest.raises(CaseInputError):  # not waiting for anything yet
        store.add_citizen_info(case.reference, citizen, "a photo", None)
    store.change_status(case.reference, "more_information_needed", "agent:ana", "Photo please")
    assert [c.reference for c in store.awaiting(citizen)] == [case.reference]
    with pytest.raises(NotFound):  # someone else cannot add to it
        store.add_citizen_info(case.reference, citizen + "-x", "mine", None)
    photo = {"file_id": "f1", "path": "/var/uploads/x.jpg"}
    updated = store.add_citizen_info(case.reference, citizen, "Here it is", photo)
    assert updated.status == "in_review" and store.awaiting(citizen) == []
    added = [e for e in store.history(case.reference) if e.kind == "citizen_info"]
    assert added[0].note == "Here it is" and added[0].detail == {"photo": photo}
    with db.session() as session:
        outbox = session.scalars(
            select(OutboxEntry).where(OutboxEntry.case_id == case.id).order_by(OutboxEntry.id)
        ).all()
        kinds = [(e.event_type, e.state) for e in outbox]
        addition = outbox[-1].payload
    assert kinds == [("case.created", "pending"), ("case.citizen_info", "pending")]
    assert addition is not None and addition["addition"]["text"] == "Here it is"
    assert addition["case"]["status"] == "in_review"


def test_without_a_webhook_nothing_enters_the_outbox(
    db: Database, clock: FakeClock, citizen: str
) -> None:
    store = CaseStore(db, clock)
    case = store.create(citizen, "report_street_problem", {}, "rest", "en")
    with db.session() as session:
        found = session.scalars(select(OutboxEntry).where(OutboxEntry.case_id == case.id))
        assert found.all() == []


def test_ratings_after_a_final_status_and_reviews_for_the_two_lowest(
    db: Database, clock: FakeClock, citizen: str
) -> None:
    store = CaseStore(db, clock)
    good = store.create(citizen, "book_appointment", {}, "rest", "en")
    bad = store.create(citizen, "book_appointment", {}, "rest", "en")
    with pytest.raises(CaseInputError):  # not finished yet
        store.rate(good.reference, citizen, 5)
    for case in (good, bad):
        store.change_status(case.reference, "rejected", "agent:ana")
    store.rate(good.reference, citizen, 4)
    store.rate(bad.reference, citizen, 2)
    store.rate(bad.reference, citizen, 5)  # rated once: the second answer changes nothing
    with pytest.raises(NotFound):
        store.rate(good.reference, citizen + "-x", 1)
    assert store.find(bad.reference).rating == 2
    open_reviews = [r for r in store.reviews() if r["reference"] in (good.reference, bad.reference)]
    assert [(r["reference"], r["rating"]) for r in open_reviews] == [(bad.reference, 2)]
    store.resolve_review(open_reviews[0]["id"], "lee", "called the citizen")
    assert all(r["reference"] != bad.reference for r in store.reviews())


def test_sla_counts_business_hours_and_pauses_while_waiting_for_the_citizen(
    db: Database, clock: FakeClock, citizen: str
) -> None:
    hours = OfficeHours.parse("mon-fri 09:00-17:00")
    clock.current = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # Monday 09:00
    store = CaseStore(db, clock, hours)
    case = store.create(citizen, "report_street_problem", {}, "rest", "en")  # SLA 16 h
    clock.current = datetime(2026, 11, 2, 13, 0, tzinfo=UTC)
    store.change_status(case.reference, "in_review", "agent:ana")
    clock.current = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
    store.change_status(case.reference, "more_information_needed", "agent:ana")
    clock.current = datetime(2026, 11, 4, 9, 0, tzinfo=UTC)  # two office days later
    store.add_citizen_info(case.reference, citizen, "here", None)
    clock.current = datetime(2026, 11, 4, 17, 0, tzinfo=UTC)
    timing = store.timing(store.find(case.reference), store.history(case.reference))
    assert timing.business_s == (6 + 8) * 3600  # Monday 9-15, Wednesday 9-17
    assert timing.waiting_for_citizen_s == (2 + 8) * 3600  # Monday 15-17, Tuesday
    assert not timing.breached and timing.sla_s == 16 * 3600
    clock.current = datetime(2026, 11, 5, 12, 0, tzinfo=UTC)
    timing = store.timing(store.find(case.reference), store.history(case.reference))
    assert timing.business_s == (6 + 8 + 3) * 3600 and timing.breached
    store.change_status(case.reference, "approved", "agent:ana")
    clock.current = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)  # the clock stopped at approval
    timing = store.timing(store.find(case.reference), store.history(case.reference))
    assert timing.business_s == (6 + 8 + 3) * 3600


def test_retention_deletes_finished_cases_with_their_log_and_photos_and_old_payloads(
    db: Database, clock: FakeClock, citizen: str, tmp_path: Path
) -> None:
    from bot.cases.retention import run_case_retention

    photo = tmp_path / "uploads" / "telegram" / f"{citizen[-8:]}.jpg"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"\xff\xd8\xff")
    outside = tmp_path / "not-an-upload.jpg"
    outside.write_bytes(b"keep")
    clock.current = datetime(2020, 1, 6, 9, 0, tzinfo=UTC)
    store = CaseStore(db, clock, workflows=with_webhook)
    old = store.create(citizen, "report_street_problem", {"phone": "13812345678"}, "rest", "en")
    store.change_status(old.reference, "in_review", "agent:ana")
    store.change_status(old.reference, "more_information_needed", "agent:ana", "photo?")
    store.add_citizen_info(old.reference, citizen, "here", {"path": str(photo)})
    store.change_status(old.reference, "more_information_needed", "agent:ana")
    store.add_citizen_info(old.reference, citizen, "again", {"path": str(outside)})
    store.change_status(old.reference, "rejected", "agent:ana", "not ours")
    store.rate(old.reference, citizen, 1)
    still_open = store.create(citizen, "report_street_problem", {}, "rest", "en")
    with db.session() as session:
        for entry in session.scalars(select(OutboxEntry)):
            if entry.case_id == still_open.id:
                entry.state = "delivered"
    clock.current = datetime(2021, 6, 1, tzinfo=UTC)
    recent = store.create(citizen, "book_appointment", {}, "rest", "en")
    store.change_status(recent.reference, "closed", "agent:ana")
    dry = run_case_retention(db, clock.now(), 365, tmp_path, dry_run=True)
    assert dry.photos == 1 and photo.exists()
    done = run_case_retention(db, clock.now(), 365, tmp_path)
    assert done.cases >= 1 and done.photos == 1 and done.outbox_payloads >= 1
    assert not photo.exists() and outside.exists()  # only files under var/uploads go
    with pytest.raises(NotFound):
        store.find(old.reference)
    assert store.find(recent.reference).status == "closed"
    assert store.find(still_open.reference).status == "received"
    with db.session() as session:
        kept = session.scalars(select(OutboxEntry).where(OutboxEntry.case_id == still_open.id))
        assert [e.payload for e in kept] == [None]
