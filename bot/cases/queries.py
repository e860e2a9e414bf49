"""Reading cases: one case, a citizen's cases, a search for the back office, the event
history, timings and the counts the reports start from. Part of CaseStore (bot/cases/store.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import func, or_, select

from bot.cases.case import Case, CaseFilter, Event, case_from_row, event_from_row
from bot.cases.models import CaseEvent, CaseRecord
from bot.cases.timing import Hours, Timing, timing
from bot.cases.workflow import Workflow
from bot.clock import Clock
from bot.errors import NotFound
from bot.storage.db import Database


class CaseQueries:
    db: Database
    clock: Clock
    hours: Hours
    workflow: Callable[[str], Workflow]

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
            return [event_from_row(r) for r in rows]

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
                out[row.case_id].append(event_from_row(row))
        return out

    def timing(self, case: Case, events: Sequence[Event]) -> Timing:
        return timing(case, events, self.workflow(case.form), self.hours, self.clock.now())

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
