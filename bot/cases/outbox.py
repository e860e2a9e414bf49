"""What a department's system is handed for a change of a case: the outbox entry, written in
the change's own transaction (the transactional outbox: both or neither are stored), which
bot/cases/webhooks.py then delivers."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session as SqlSession

from bot.cases.case import Case
from bot.cases.models import OutboxEntry
from bot.cases.workflow import Workflow


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


def hand_over(
    session: SqlSession,
    case: Case,
    workflow: Workflow,
    event_type: str,
    addition: Mapping[str, Any] | None,
    now: datetime,
) -> None:
    """The outbox entry of a change, in the change's own transaction (no webhook: none)."""
    if workflow.webhook_url is None:
        return
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
