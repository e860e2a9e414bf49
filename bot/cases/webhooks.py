"""Hand-over to department systems: the outbox's entries POSTed as Standard Webhooks.

Each entry (written in the same transaction as the change it carries, bot/cases/outbox.py) is
sent as `{"type", "timestamp", "data"}` with the three headers of the Standard Webhooks
specification:

    webhook-id: msg_<32 hex>              (the entry's own id: the same on every attempt)
    webhook-timestamp: <unix seconds>
    webhook-signature: v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>

where the key is the base64 part of the form's `whsec_...` secret. Any 2xx answer counts as
delivered; anything else (or no answer) is retried on the specification's schedule (5 s,
5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h after each failure) and then the entry goes
to the dead-letter list, which supervisors see and can replay. Every gateway replica sweeps
the outbox; a lease per entry (an UPDATE only one replica wins) makes one of them send it. A
gateway that dies mid-delivery leaves the lease to run out, and the entry is sent again, with
the same webhook-id, so the receiver can drop the repeat (at-least-once delivery).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import or_, select, update

from bot.cases.models import CaseEvent, CaseRecord, OutboxEntry
from bot.cases.workflow import Workflow
from bot.clock import Clock
from bot.errors import NotFound
from bot.storage.db import Database

log = logging.getLogger(__name__)
SCHEDULE_S: tuple[float, ...] = (5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400)


def secret_key(secret: str) -> bytes:
    """The HMAC key of a `whsec_<base64>` secret."""
    return base64.b64decode(secret.removeprefix("whsec_"))


def signature(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


@dataclass(frozen=True)
class Delivery:
    id: int
    webhook_id: str
    form: str
    event_type: str
    body: bytes
    attempts: int


@dataclass(frozen=True)
class DeadLetter:
    id: int
    webhook_id: str
    reference: str
    form: str
    event_type: str
    attempts: int
    last_error: str | None
    created_at: datetime


class WebhookDispatcher:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        workflows: Callable[[str], Workflow],
        *,
        schedule_s: tuple[float, ...] = SCHEDULE_S,
        timeout_s: float = 15.0,
    ) -> None:
        self.db = db
        self.clock = clock
        self.workflow = workflows
        self.schedule_s = schedule_s
        self.timeout_s = timeout_s
        self.lease_s = 2 * timeout_s + 5  # a delivery in flight is never leased twice
        self.client = httpx.AsyncClient(timeout=timeout_s)

    async def sweep(self, limit: int = 20) -> int:
        """Deliver what is due; how many were delivered."""
        due = await asyncio.to_thread(self._lease_due, limit)
        results = await asyncio.gather(*(self._deliver(d) for d in due))
        return sum(results)

    def _lease_due(self, limit: int) -> list[Delivery]:
        now = self.clock.now()
        free = or_(OutboxEntry.lease_until.is_(None), OutboxEntry.lease_until < now)
        with self.db.session() as session:
            ids = session.scalars(
                select(OutboxEntry.id)
                .where(OutboxEntry.state == "pending", OutboxEntry.next_attempt_at <= now, free)
                .order_by(OutboxEntry.id)
                .limit(limit)
            ).all()
        leased: list[Delivery] = []
        for entry_id in ids:
            with self.db.session() as session:
                won = session.execute(
                    update(OutboxEntry)
                    .where(OutboxEntry.id == entry_id, OutboxEntry.state == "pending", free)
                    .values(lease_until=now + timedelta(seconds=self.lease_s))
                    .execution_options(synchronize_session=False)
                )
                if won.rowcount != 1:  # type: ignore[attr-defined]
                    continue
                row = session.get(OutboxEntry, entry_id)
                if row is None:
                    continue
                body = json.dumps(
                    {
                        "type": row.event_type,
                        "timestamp": row.created_at.isoformat(),
                        "data": row.payload or {},
                    },
                    ensure_ascii=False,
                    sort_keys=True,
                ).encode()
                leased.append(
                    Delivery(row.id, row.webhook_id, row.form, row.event_type, body, row.attempts)
                )
        return leased

    async def _deliver(self, delivery: Delivery) -> int:
        workflow = self.workflow(delivery.form)
        if workflow.webhook_url is None or workflow.webhook_secret is None:
            problem = "the form has no webhook configured any more"
        else:
            timestamp = int(self.clock.now().timestamp())
            headers = {
                "content-type": "application/json",
                "webhook-id": delivery.webhook_id,
                "webhook-timestamp": str(timestamp),
                "webhook-signature": signature(
                    workflow.webhook_secret, delivery.webhook_id, timestamp, delivery.body
                ),
            }
            try:
                response = await self.client.post(
                    workflow.webhook_url, content=delivery.body, headers=headers
                )
                if response.is_success:
                    await asyncio.to_thread(self._delivered, delivery)
                    return 1
                problem = f"HTTP {response.status_code}"
            except httpx.HTTPError as exc:
                problem = type(exc).__name__
        await asyncio.to_thread(self._failed, delivery, problem)
        return 0

    def _delivered(self, delivery: Delivery) -> None:
        with self.db.session() as session:
            row = session.get(OutboxEntry, delivery.id)
            if row is not None:
                row.state = "delivered"
                row.attempts = delivery.attempts + 1
                row.delivered_at = self.clock.now()
                row.lease_until = None
                row.last_error = None

    def _failed(self, delivery: Delivery, problem: str) -> None:
        now = self.clock.now()
        failures = delivery.attempts + 1
        with self.db.session() as session:
            row = session.get(OutboxEntry, delivery.id)
            if row is None:
                return
            row.attempts = failures
            row.last_error = problem[:200]
            row.lease_until = None
            if failures > len(self.schedule_s):
                row.state = "dead"
                log.warning("webhook %s is dead after %d attempts: %s",
                            delivery.webhook_id, failures, problem)  # fmt: skip
            else:
                row.next_attempt_at = now + timedelta(seconds=self.schedule_s[failures - 1])
                log.info("webhook %s attempt %d failed (%s); next in %.0f s",
                         delivery.webhook_id, failures, problem,
                         self.schedule_s[failures - 1])  # fmt: skip

    # --- the dead-letter list (supervisors) -------------------------------------------------

    def dead_letters(self, limit: int = 200) -> list[DeadLetter]:
        with self.db.session() as session:
            rows = session.execute(
                select(OutboxEntry, CaseRecord.reference)
                .join(CaseRecord, CaseRecord.id == OutboxEntry.case_id)
                .where(OutboxEntry.state == "dead")
                .order_by(OutboxEntry.id.desc())
                .limit(limit)
            ).all()
            return [
                DeadLetter(e.id, e.webhook_id, ref, e.form, e.event_type, e.attempts,
                           e.last_error, e.created_at)
                for e, ref in rows
            ]  # fmt: skip

    def replay(self, entry_id: int, actor: str) -> str:
        """A dead entry back in the outbox, due now, with a fresh schedule and its own
        webhook-id (it is the same message). Returns the webhook-id."""
        now = self.clock.now()
        with self.db.session() as session:
            row = session.get(OutboxEntry, entry_id)
            if row is None or row.state != "dead":
                raise NotFound(f"no dead letter {entry_id}")
            row.state = "pending"
            row.attempts = 0
            row.next_attempt_at = now
            row.lease_until = None
            session.add(
                CaseEvent(
                    case_id=row.case_id, at=now, actor=actor, kind="replayed", from_status=None,
                    to_status=None, note=None, detail={"webhook_id": row.webhook_id},
                )
            )  # fmt: skip
            return row.webhook_id

    def pending_count(self) -> dict[str, Any]:
        with self.db.session() as session:
            rows = session.execute(
                select(OutboxEntry.state, OutboxEntry.id).where(OutboxEntry.state != "delivered")
            ).all()
        counts: dict[str, Any] = {"pending": 0, "dead": 0}
        for state, _ in rows:
            counts[state] = counts.get(state, 0) + 1
        return counts

    async def close(self) -> None:
        await self.client.aclose()
