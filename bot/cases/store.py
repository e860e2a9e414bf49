"""Cases: submitted forms, stored in SQL with a readable reference number (RC-2026-000123).

The reference is the year and the row's id, zero-padded: ids come from the database, so two
gateway replicas never hand out the same number. A retried submission (same submission key)
returns the case already stored instead of a second one.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from bot.cases.models import CaseRecord
from bot.clock import Clock
from bot.errors import NotFound
from bot.masking import mask_value
from bot.storage.db import Database

log = logging.getLogger(__name__)
REFERENCE = re.compile(r"^RC-(\d{4})-(\d{6,})$")
STATUSES = ("received", "in_progress", "resolved", "rejected")


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


def reference_for(year: int, case_id: int) -> str:
    return f"RC-{year}-{case_id:06d}"


def _case(row: CaseRecord) -> Case:
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
    )


class CaseStore:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def create(
        self,
        citizen_id: str,
        form: str,
        answers: Mapping[str, Any],
        channel: str,
        lang: str,
        submission_key: str | None = None,
    ) -> Case:
        with self.db.session() as session:
            if submission_key:
                existing = session.scalar(
                    select(CaseRecord).where(CaseRecord.submission_key == submission_key)
                )
                if existing is not None and existing.citizen_id == citizen_id:
                    return _case(existing)
            now = self.clock.now()
            row = CaseRecord(
                reference=f"pending-{uuid.uuid4().hex}",
                citizen_id=citizen_id,
                form=form,
                status="received",
                channel=channel,
                lang=lang,
                answers=dict(answers),
                submission_key=submission_key or None,
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            session.flush()
            row.reference = reference_for(now.year, row.id)
            case = _case(row)
        log.info(
            "case %s created: form=%s channel=%s answers=%s",
            case.reference,
            form,
            channel,
            mask_value(dict(answers)),
        )
        return case

    def get(self, reference: str, citizen_id: str) -> Case:
        """The case if it exists and belongs to this citizen; NotFound otherwise."""
        with self.db.session() as session:
            row = session.scalar(select(CaseRecord).where(CaseRecord.reference == reference))
            if row is None or row.citizen_id != citizen_id:
                raise NotFound(f"no case {reference}")
            return _case(row)

    def for_citizen(self, citizen_id: str, limit: int = 10) -> list[Case]:
        with self.db.session() as session:
            rows = session.scalars(
                select(CaseRecord)
                .where(CaseRecord.citizen_id == citizen_id)
                .order_by(CaseRecord.id.desc())
                .limit(limit)
            ).all()
            return [_case(r) for r in rows]

    def set_status(self, reference: str, status: str) -> Case:
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        with self.db.session() as session:
            row = session.scalar(select(CaseRecord).where(CaseRecord.reference == reference))
            if row is None:
                raise NotFound(f"no case {reference}")
            row.status = status
            row.updated_at = self.clock.now()
            return _case(row)
