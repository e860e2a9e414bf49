"""Cases: submitted forms, stored in SQL with a readable reference number (RC-2026-000123),
moving along their form's workflow (bot/cases/workflow.py).

The reference is the year and the row's id, zero-padded: ids come from the database, so two
gateway replicas never hand out the same number. A retried submission (same submission key)
returns the case already stored instead of a second one.

Every change is one transaction that writes the case, its event (who, when, from, to, note),
and what must follow from it: the notification for the citizen (due now, or at the next office
opening unless urgent) and, when the form has a department webhook, the outbox entry that
hands the change over (the transactional outbox: both or neither are stored).
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session as SqlSession

from bot.cases.models import (
    CaseEvent,
    CaseNotification,
    CaseRecord,
    CaseReview,
    OutboxEntry,
)
from bot.cases.workflow import Workflow, workflow_for
from bot.clock import Clock
from bot.errors import InvalidInput, NotFound
from bot.masking import mask_value
from bot.storage.db import Database

log = logging.getLogger(__name__)
REFERENCE = re.compile(r"^RC-(\d{4})-(\d{6,})$")
RATINGS = (1, 2, 3, 4, 5)  # 5 very satisfied ... 1 very dissatisfied
REVIEW_BELOW = 3  # ratings 1 and 2 open a review item


class Hours(Protocol):
    """Office hours (bot/handoff/office_hours.py), as cases use them."""

    def is_open(self, at: datetime) -> bool: ...

    def next_opening(self, at: datetime) -> datetime | None: ...

    def business_seconds(self, start: datetime, end: datetime) -> float: ...


class AlwaysOpen:
    def is_open(self, at: datetime) -> bool:
        return True

    def next_opening(self, at: datetime) -> datetime | None:
        return None

    def business_seconds(self, start: datetime, end: datetime) -> float:
        return max(0.0, (end - start).total_seconds())


class CaseInputError(InvalidInput):
    """A change that cannot be made as asked (unknown assignee form, bad rating...)."""


@dataclass(frozen=True)
class Case:
    reference: str
    citizen_id: str
    form: str
    status: str
    channel: str
    lang: str
    answers: Mapping[str, Any]
    created_at: datetime
    updated_at: datetime
    team: str | None = None
    assignee: str | None = None
    rating: int | None = None
    closed_at: datetime | None = None
    id: int = 0


@dataclass(frozen=True)
class Event:
    at: datetime
    actor: str
    kind: str
    from_status: str | None
    to_status: str | None
    note: str | None
    detail: Mapping[str, Any] | None = None
    id: int = 0


@dataclass(frozen=True)
class Change:
    case: Case
    changed: bool  # False: the case already had that status (a no-op)
    event: Event | None = None


@dataclass(frozen=True)
class CaseFilter:
    form: str | None = None
    status: str | None = None
    team: str | None = None
    assignee: str | None = None
    older_than_s: float | None = None
    newer_than_s: float | None = None
    limit: int = 100
    # a caseworker of a team sees that team's cases, cases of no team, and their own
    visible_to: tuple[str, str] | None = None  # (team, username)


@dataclass(frozen=True)
class Timing:
    """How long a case has taken, against its form's SLA (business hours)."""

    business_s: float  # in office hours, without the time spent waiting for the citizen
    waiting_for_citizen_s: float
    sla_s: float
    breached: bool
    by_status: Mapping[str, float] = field(default_factory=dict)  # calendar seconds per status


def reference_for(year: int, case_id: int) -> str:
    return f"RC-{year}-{case_id:06d}"


def case_from_row(row: CaseRecord) -> Case:
    return Case(
        reference=row.reference,
        citizen_id=row.citizen_id,
        form=row.form,
        status=row.status,
        channel=row.channel,
        lang=row.lang,
        answers=dict(row.answers),
        created_at=row.created_at,
        updated_at=row.updated_at,
        team=row.team,
        assignee=row.assignee,
        rating=row.rating,
        closed_at=row.closed_at,
        id=row.id,
    )


def _event(row: CaseEvent) -> Event:
    return Event(
        row.at, row.actor, row.kind, row.from_status, row.to_status, row.note, row.detail, row.id
    )


def case_payload(case: Case, workflow: Workflow) -> dict[str, Any]:
    """What a department system gets: the case as it stands."""
    return {
        "reference": case.reference,
        "form": case.form,
        "status": case.status,
        "lang": case.lang,
        "channel": case.channel,
        "answers": dict(case.answers),
        "created_at": case.created_at.isoformat(),
        "team": case.team,
        "statuses": sorted(workflow.statuses),
    }


def timing(
    case: Case, events: Sequence[Event], workflow: Workflow, hours: Hours, now: datetime
) -> Timing:
    """Time per status (calendar), and business time to a final status without the time
    spent waiting for the citizen, against the form's SLA."""
    spans: list[tuple[str, datetime, datetime]] = []
    status, since = workflow.initial, case.created_at
    for event in events:
        if event.kind == "status" and event.to_status and event.to_status != status:
            spans.append((status, since, event.at))
            status, since = event.to_status, event.at
    spans.append((status, since, now))
    # the SLA clock stops at the first final status
    end = next((start for name, start, _ in spans if workflow.status(name).final), now)
    by_status: dict[str, float] = {}
    business = waiting = 0.0
    for name, start, stop in spans:
        by_status[name] = by_status.get(name, 0.0) + (stop - start).total_seconds()
        if start >= end:
            continue
        stop = min(stop, end)
        if workflow.status(name).final:
            continue
        seconds = hours.business_seconds(start, stop)
        if workflow.waits(name):
            waiting += seconds
        else:
            business += seconds
    sla_s = workflow.sla_hours * 3600
    return Timing(business, waiting, sla_s, business > sla_s, by_status)


class CaseStore:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        hours: Hours | None = None,
        workflows: Callable[[str], Workflow] = workflow_for,
    ) -> None:
        self.db = db
        self.clock = clock
        self.hours: Hours = hours or AlwaysOpen()
        self.workflow = workflows

    # --- submission -------------------------------------------------------------------------

    def create(
        self,
        citizen_id: str,
        form: str,
        answers: Mapping[str, Any],
        channel: str,
        lang: str,
        submission_key: str | None = None,
    ) -> Case:
        workflow = self.workflow(form)
        with self.db.session() as session:
            if submission_key:
                existing = session.scalar(
                    select(CaseRecord).where(CaseRecord.submission_key == submission_key)
                )
                if existing is not None and existing.citizen_id == citizen_id:
                    return case_from_row(existing)
            now = self.clock.now()
            row = CaseRecord(
                reference=f"pending-{uuid.uuid4().hex}",
                citizen_id=citizen_id,
                form=form,
                status=workflow.initial,
                channel=channel,
                lang=lang,
                answers=dict(answers),
                submission_key=submission_key or None,
                created_at=now,
                updated_at=now,
                team=workflow.team,
                rating_asked=False,
            )
            session.add(row)
            session.flush()
            row.reference = reference_for(now.year, row.id)
            session.add(
                CaseEvent(
                    case_id=row.id, at=now, actor="citizen", kind="created", from_status=None,
                    to_status=workflow.initial, note=None, detail=None,
                )
            )  # fmt: skip
            case = case_from_row(row)
            self._hand_over(session, case, workflow, "case.created", None)
        log.info(
            "case %s created: form=%s channel=%s answers=%s",
            case.reference,
            form,
            channel,
            mask_value(dict(answers)),
        )
        return case

    # --- reading ----------------------------------------------------------------------------

    def get(self, reference: str, citizen_id: str) -> Case:
        """The case if it exists and belongs to this citizen; NotFound otherwise."""
        case = self.find(reference)
        if case.citizen_id != citizen_id:
            raise NotFound(f"no case {reference}")
        return case

    def find(self, reference: str, forms: frozenset[str] | None = None) -> Case:
        """Any case (the back office); with `forms`, only a case of one of those forms."""
        with self.db.session() as session:
            row = session.scalar(select(CaseRecord).where(CaseRecord.reference == reference))
            if row is None or (forms is not None and row.form not in forms):
                raise NotFound(f"no case {reference}")
            return case_from_row(row)

    def for_citizen(self, citizen_id: str, limit: int = 10) -> list[Case]:
        with self.db.session() as session:
            rows = session.scalars(
                select(CaseRecord)
                .where(CaseRecord.citizen_id == citizen_id)
                .order_by(CaseRecord.id.desc())
                .limit(limit)
            ).all()
            return [case_from_row(r) for r in rows]

    def awaiting(self, citizen_id: str) -> list[Case]:
        """The citizen's cases waiting for more information from them, oldest first."""
        with self.db.session() as session:
            rows = session.scalars(
                select(CaseRecord)
                .where(CaseRecord.citizen_id == citizen_id, CaseRecord.closed_at.is_(None))
                .order_by(CaseRecord.id)
            ).all()
            return [case_from_row(r) for r in rows if self.workflow(r.form).waits(r.status)]

    def history(self, reference: str) -> list[Event]:
        with self.db.session() as session:
            case_id = session.scalar(select(CaseRecord.id).where(CaseRecord.reference == reference))
            if case_id is None:
                raise NotFound(f"no case {reference}")
            rows = session.scalars(
                select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
            ).all()
            return [_event(r) for r in rows]

    def search(self, where: CaseFilter) -> list[Case]:
        now = self.clock.now()
        query = select(CaseRecord)
        if where.form:
            query = query.where(CaseRecord.form == where.form)
        if where.status:
            query = query.where(CaseRecord.status == where.status)
        if where.team:
            query = query.where(CaseRecord.team == where.team)
        if where.assignee:
            query = query.where(CaseRecord.assignee == where.assignee)
        if where.visible_to is not None:
            team, username = where.visible_to
            query = query.where(
                or_(
                    CaseRecord.team == team,
                    CaseRecord.team.is_(None),
                    CaseRecord.assignee == username,
                )
            )
        if where.older_than_s is not None:
            oldest = now - timedelta(seconds=where.older_than_s)
            query = query.where(CaseRecord.created_at <= oldest)
        if where.newer_than_s is not None:
            newest = now - timedelta(seconds=where.newer_than_s)
            query = query.where(CaseRecord.created_at >= newest)
        with self.db.session() as session:
            rows = session.scalars(query.order_by(CaseRecord.id.desc()).limit(where.limit)).all()
            return [case_from_row(r) for r in rows]

    def histories(self, case_ids: Sequence[int]) -> dict[int, list[Event]]:
        out: dict[int, list[Event]] = {i: [] for i in case_ids}
        if not case_ids:
            return out
        with self.db.session() as session:
            rows = session.scalars(
                select(CaseEvent)
                .where(CaseEvent.case_id.in_(list(case_ids)))
                .order_by(CaseEvent.id)
            ).all()
            for row in rows:
                out[row.case_id].append(_event(row))
        return out

    def timing(self, case: Case, events: Sequence[Event]) -> Timing:
        return timing(case, events, self.workflow(case.form), self.hours, self.clock.now())

    # --- changes ----------------------------------------------------------------------------

    def change_status(
        self,
        reference: str,
        status: str,
        actor: str,
        note: str | None = None,
        *,
        urgent: bool = False,
        forms: frozenset[str] | None = None,
        notify: bool = True,
    ) -> Change:
        """Move the case along its workflow. The same status again changes nothing;
        IllegalTransition when the workflow does not allow the move; NotFound for an unknown
        case (or one outside `forms`)."""
        with self.db.session() as session:
            row = self._row(session, reference, forms)
            workflow = self.workflow(row.form)
            if status not in workflow.statuses:
                raise CaseInputError(
                    f"unknown status {status!r} for {row.form} (known: "
                    f"{', '.join(sorted(workflow.statuses))})"
                )
            if row.status == status:
                return Change(case_from_row(row), changed=False)
            workflow.check(row.status, status)
            now = self.clock.now()
            event = CaseEvent(
                case_id=row.id, at=now, actor=actor, kind="status", from_status=row.status,
                to_status=status, note=note or None, detail={"urgent": True} if urgent else None,
            )  # fmt: skip
            session.add(event)
            row.status = status
            row.updated_at = now
            if workflow.status(status).final and row.closed_at is None:
                row.closed_at = now
            elif not workflow.status(status).final:
                row.closed_at = None
            session.flush()
            if notify:
                due = now if urgent or self.hours.is_open(now) else self.hours.next_opening(now)
                session.add(
                    CaseNotification(
                        case_id=row.id, event_id=event.id, status=status, note=note or None,
                        urgent=urgent, due_at=due or now,
                    )
                )  # fmt: skip
            case = case_from_row(row)
            return Change(case, changed=True, event=_event(event))

    def assign(self, reference: str, actor: str, *, assignee: str | None, team: str | None) -> Case:
        with self.db.session() as session:
            row = self._row(session, reference, None)
            now = self.clock.now()
            session.add(
                CaseEvent(
                    case_id=row.id, at=now, actor=actor, kind="assigned", from_status=row.status,
                    to_status=row.status, note=None,
                    detail={"assignee": assignee, "team": team, "before": {
                        "assignee": row.assignee, "team": row.team}},
                )
            )  # fmt: skip
            row.assignee = assignee
            row.team = team
            row.updated_at = now
            return case_from_row(row)

    def add_citizen_info(
        self,
        reference: str,
        citizen_id: str,
        text: str | None,
        photo: Mapping[str, Any] | None,
    ) -> Case:
        """The citizen's answer to "more information needed": attached to the case as an
        event, handed over to the department, and the case goes back to review (the first
        status its workflow allows from here that does not wait for the citizen)."""
        with self.db.session() as session:
            row = self._row(session, reference, None)
            if row.citizen_id != citizen_id:
                raise NotFound(f"no case {reference}")
            workflow = self.workflow(row.form)
            if not workflow.waits(row.status):
                raise CaseInputError(f"{reference} is not waiting for information")
            now = self.clock.now()
            detail: dict[str, Any] = {}
            if photo:
                detail["photo"] = dict(photo)
            session.add(
                CaseEvent(
                    case_id=row.id, at=now, actor="citizen", kind="citizen_info",
                    from_status=row.status, to_status=row.status, note=text or None,
                    detail=detail or None,
                )
            )  # fmt: skip
            back = next(
                (s for s in workflow.transitions.get(row.status, ()) if not workflow.waits(s)
                 and not workflow.status(s).final),
                None,
            )  # fmt: skip
            if back is not None:
                session.add(
                    CaseEvent(
                        case_id=row.id, at=now, actor="citizen", kind="status",
                        from_status=row.status, to_status=back, note=None, detail=None,
                    )
                )  # fmt: skip
                row.status = back
            row.updated_at = now
            session.flush()
            case = case_from_row(row)
            addition = {
                "text": text,
                "photo": dict(photo) if photo else None,
                "at": now.isoformat(),
            }
            self._hand_over(session, case, workflow, "case.citizen_info", addition)
            return case

    def rate(self, reference: str, citizen_id: str, rating: int) -> Case:
        """The citizen's rating after a final status (5 very satisfied ... 1 very
        dissatisfied); 1 and 2 open a review item for a supervisor. Rated once."""
        if rating not in RATINGS:
            raise CaseInputError("a rating is 1 to 5")
        with self.db.session() as session:
            row = self._row(session, reference, None)
            if row.citizen_id != citizen_id:
                raise NotFound(f"no case {reference}")
            if row.rating is not None:
                return case_from_row(row)
            if row.closed_at is None:
                raise CaseInputError(f"{reference} is not finished yet")
            now = self.clock.now()
            row.rating = rating
            session.add(
                CaseEvent(
                    case_id=row.id, at=now, actor="citizen", kind="rated",
                    from_status=row.status, to_status=row.status, note=None,
                    detail={"rating": rating},
                )
            )  # fmt: skip
            if rating < REVIEW_BELOW:
                session.add(CaseReview(case_id=row.id, rating=rating, created_at=now))
            return case_from_row(row)

    # --- reviews (supervisors) --------------------------------------------------------------

    def reviews(self, open_only: bool = True) -> list[dict[str, Any]]:
        with self.db.session() as session:
            query = select(CaseReview, CaseRecord).join(
                CaseRecord, CaseRecord.id == CaseReview.case_id
            )
            if open_only:
                query = query.where(CaseReview.resolved_at.is_(None))
            rows = session.execute(query.order_by(CaseReview.id.desc()).limit(200)).all()
            return [
                {
                    "id": review.id, "reference": case.reference, "form": case.form,
                    "rating": review.rating, "created_at": review.created_at,
                    "resolved_at": review.resolved_at, "resolved_by": review.resolved_by,
                    "note": review.note, "assignee": case.assignee, "team": case.team,
                }
                for review, case in rows
            ]  # fmt: skip

    def resolve_review(self, review_id: int, actor: str, note: str | None) -> None:
        with self.db.session() as session:
            review = session.get(CaseReview, review_id)
            if review is None:
                raise NotFound(f"no review {review_id}")
            if review.resolved_at is None:
                review.resolved_at = self.clock.now()
                review.resolved_by = actor
                review.note = note

    # --- reports ----------------------------------------------------------------------------

    def counts(self) -> list[dict[str, Any]]:
        """Cases per form and status."""
        with self.db.session() as session:
            rows = session.execute(
                select(CaseRecord.form, CaseRecord.status, func.count())
                .group_by(CaseRecord.form, CaseRecord.status)
                .order_by(CaseRecord.form, CaseRecord.status)
            ).all()
            return [{"form": f, "status": s, "cases": int(n)} for f, s, n in rows]

    def ratings(self) -> list[dict[str, Any]]:
        with self.db.session() as session:
            rows = session.execute(
                select(CaseRecord.form, CaseRecord.rating, func.count())
                .where(CaseRecord.rating.is_not(None))
                .group_by(CaseRecord.form, CaseRecord.rating)
                .order_by(CaseRecord.form, CaseRecord.rating)
            ).all()
            return [{"form": f, "rating": int(r or 0), "cases": int(n)} for f, r, n in rows]

    # --- helpers ----------------------------------------------------------------------------

    @staticmethod
    def _row(session: SqlSession, reference: str, forms: frozenset[str] | None) -> CaseRecord:
        row = session.scalar(
            select(CaseRecord).where(CaseRecord.reference == reference).with_for_update()
        )
        if row is None or (forms is not None and row.form not in forms):
            raise NotFound(f"no case {reference}")
        return row

    def _hand_over(
        self,
        session: SqlSession,
        case: Case,
        workflow: Workflow,
        event_type: str,
        addition: Mapping[str, Any] | None,
    ) -> None:
        """The outbox entry of a change, in the change's own transaction (no webhook: none)."""
        if workflow.webhook_url is None:
            return
        now = self.clock.now()
        payload: dict[str, Any] = {"case": case_payload(case, workflow)}
        if addition is not None:
            payload["addition"] = dict(addition)
        session.add(
            OutboxEntry(
                webhook_id=f"msg_{uuid.uuid4().hex}", case_id=case.id, form=case.form,
                event_type=event_type, payload=payload, created_at=now, state="pending",
                attempts=0, next_attempt_at=now,
            )
        )  # fmt: skip
