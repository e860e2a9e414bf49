"""A case as the rest of the code sees it (frozen values made from the SQL rows of
bot/cases/models.py), its events, and the readable reference number (RC-2026-000123).

The reference is the year and the row's id, zero-padded: ids come from the database, so two
gateway replicas never hand out the same number.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session as SqlSession

from bot.cases.models import CaseEvent, CaseRecord
from bot.errors import InvalidInput, NotFound

REFERENCE = re.compile(r"^RC-(\d{4})-(\d{6,})$")


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


def event_from_row(row: CaseEvent) -> Event:
    return Event(
        row.at, row.actor, row.kind, row.from_status, row.to_status, row.note, row.detail, row.id
    )


def locked_row(session: SqlSession, reference: str, forms: frozenset[str] | None) -> CaseRecord:
    """The case's row, locked until the transaction ends; NotFound for an unknown case (or
    one outside `forms`)."""
    row = session.scalar(
        select(CaseRecord).where(CaseRecord.reference == reference).with_for_update()
    )
    if row is None or (forms is not None and row.form not in forms):
        raise NotFound(f"no case {reference}")
    return row
