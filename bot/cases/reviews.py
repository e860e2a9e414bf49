"""The citizen's rating of a finished case, and the review items that low ratings open for a
supervisor. Part of CaseStore (bot/cases/store.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.cases.case import Case, CaseInputError, case_from_row, locked_row
from bot.cases.models import CaseEvent, CaseRecord, CaseReview
from bot.clock import Clock
from bot.errors import NotFound
from bot.storage.db import Database

RATINGS = (1, 2, 3, 4, 5)  # 5 very satisfied ... 1 very dissatisfied
REVIEW_BELOW = 3  # ratings 1 and 2 open a review item


class CaseReviews:
    db: Database
    clock: Clock

    def rate(self, reference: str, citizen_id: str, rating: int) -> Case:
        """The citizen's rating after a final status (5 very satisfied ... 1 very
        dissatisfied); 1 and 2 open a review item for a supervisor. Rated once."""
        if rating not in RATINGS:
            raise CaseInputError("a rating is 1 to 5")
        with self.db.session() as session:
            row = locked_row(session, reference, None)
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
