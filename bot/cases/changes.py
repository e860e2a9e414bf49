"""Changing cases: a submission, a move along the workflow, an assignment and the citizen's
answer to "more information needed". Part of CaseStore (bot/cases/store.py).

A retried submission (same submission key) returns the case already stored instead of a
second one. Every change is one transaction that writes the case, its event (who, when, from,
to, note), and what must follow from it: the notification for the citizen (due now, or at the
next office opening unless urgent) and, when the form has a department webhook, the outbox
entry that hands the change over (bot/cases/outbox.py).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import select

from bot.cases.case import (
    Case,
    CaseInputError,
    Change,
    case_from_row,
    event_from_row,
    locked_row,
    reference_for,
)
from bot.cases.models import CaseEvent, CaseNotification, CaseRecord
from bot.cases.outbox import hand_over
from bot.cases.timing import Hours
from bot.cases.workflow import Workflow
from bot.clock import Clock
from bot.errors import NotFound
from bot.masking import mask_value
from bot.storage.db import Database

log = logging.getLogger(__name__)


class CaseChanges:
    db: Database
    clock: Clock
    hours: Hours
    workflow: Callable[[str], Workflow]

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
            hand_over(session, case, workflow, "case.created", None, self.clock.now())
        log.info(
            "case %s created: form=%s channel=%s answers=%s",
            case.reference,
            form,
            channel,
            mask_value(dict(answers)),
        )
        return case

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
            row = locked_row(session, reference, forms)
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
            return Change(case, changed=True, event=event_from_row(event))

    def assign(self, reference: str, actor: str, *, assignee: str | None, team: str | None) -> Case:
        with self.db.session() as session:
            row = locked_row(session, reference, None)
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
            row = locked_row(session, reference, None)
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
            hand_over(session, case, workflow, "case.citizen_info", addition, self.clock.now())
            return case
