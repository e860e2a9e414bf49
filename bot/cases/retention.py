"""Retention of cases: a case finished (closed_at) before the cutoff is deleted with its event
log (notes, the citizen's additions), notifications, outbox entries, reviews and the photos
the citizen sent for it; the outbox payloads (the case's answers, as handed over) of entries
delivered or dead before the cutoff are emptied even while their case is open."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, select, update

from bot.cases.models import (
    CaseEvent,
    CaseNotification,
    CaseRecord,
    CaseReview,
    OutboxEntry,
)
from bot.storage.db import Database

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CaseRetention:
    cases: int
    case_events: int
    photos: int
    outbox_payloads: int


def _photo_paths(details: list[dict[str, object] | None], uploads: Path) -> list[Path]:
    paths = []
    for detail in details:
        photo = (detail or {}).get("photo")
        raw = photo.get("path") if isinstance(photo, dict) else None
        if isinstance(raw, str) and raw:
            path = (uploads.parent / raw).resolve()  # relative to var/, or absolute
            if path.is_relative_to(uploads):
                paths.append(path)
    return paths


def run_case_retention(
    db: Database, now: datetime, days: int, var_dir: Path, dry_run: bool = False
) -> CaseRetention:
    cutoff = now - timedelta(days=days)
    uploads = (var_dir / "uploads").resolve()
    with db.session() as session:
        case_ids = list(
            session.scalars(
                select(CaseRecord.id).where(
                    CaseRecord.closed_at.is_not(None), CaseRecord.closed_at < cutoff
                )
            )
        )
        details = list(
            session.scalars(select(CaseEvent.detail).where(CaseEvent.case_id.in_(case_ids)))
        )
        photos = _photo_paths(details, uploads)
        payloads = list(
            session.scalars(
                select(OutboxEntry.id).where(
                    OutboxEntry.state.in_(("delivered", "dead")),
                    OutboxEntry.created_at < cutoff,
                    OutboxEntry.payload.is_not(None),
                    OutboxEntry.case_id.not_in(case_ids),
                )
            )
        )
        if not dry_run:
            for chunk in [case_ids[i : i + 500] for i in range(0, len(case_ids), 500)]:
                for table in (CaseEvent, CaseNotification, OutboxEntry, CaseReview):
                    session.execute(delete(table).where(table.case_id.in_(chunk)))
                session.execute(delete(CaseRecord).where(CaseRecord.id.in_(chunk)))
            if payloads:
                session.execute(
                    update(OutboxEntry)
                    .where(OutboxEntry.id.in_(payloads))
                    .values(payload=None)
                    .execution_options(synchronize_session=False)
                )
    if not dry_run:
        for path in photos:
            try:
                path.unlink(missing_ok=True)
            except OSError as exc:
                log.warning("could not delete a case photo: %s", type(exc).__name__)
    return CaseRetention(len(case_ids), len(details), len(photos), len(payloads))
