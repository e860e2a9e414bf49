"""Outcome events: made from a turn, queued in Redis with the turn's last round trip, moved to
SQL in batches by a background drain (no SQL write added to a citizen's turn).

Where an outcome comes from:
- the action server marks its replies with `{"outcome": {...}}` custom payloads (a question
  answered / clarified / declined with the search time; a form started, a question asked, an
  answer refused, the summary, submitted, cancelled, paused, handed over); the gateway drops
  these control-only replies before anything is stored or sent (bot/conversation/turn.py);
- the gateway itself knows when a turn opened a ticket (`handed_off`) or offered a message or
  callback instead of a live chat (`person_offered`).

Privacy: an event holds no text. A question is the id of the citizen's transcript message
(its text goes with the transcript under the retention period), the citizen a pseudonym
(`subject`, 32 hex digits of a SHA-256 of the citizen id), and retention deletes old events.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.exceptions import RedisError

from bot.clock import Clock
from bot.errors import StoreUnavailable
from bot.messages import OutgoingMessage
from bot.outcomes import idle_forms, metrics
from bot.storage import keys
from bot.storage.db import Database
from bot.storage.models import OutcomeEvent
from bot.storage.sessions import Session

log = logging.getLogger(__name__)

QUESTION_KINDS = ("answered", "clarified", "declined")
FORM_KINDS = (
    "form_started",
    "form_resumed",
    "form_step",
    "form_invalid",
    "form_summary",
    "form_submitted",
    "form_submit_failed",
    "form_cancelled",
    "form_paused",
    "form_handoff",
)
GATEWAY_KINDS = ("handed_off", "person_offered")
KINDS = frozenset((*QUESTION_KINDS, *FORM_KINDS, "guide_opened", *GATEWAY_KINDS))
_DROPOUTS = {"form_cancelled": "cancelled", "form_paused": "paused", "form_handoff": "handoff"}
_COLUMNS = ("form", "field", "step", "guide", "message_id", "ticket_id")


def subject_of(citizen_id: str) -> str:
    return hashlib.sha256(citizen_id.encode()).hexdigest()[:32]


def markers(replies: Iterable[OutgoingMessage]) -> list[dict[str, Any]]:
    """The action server's outcome marks among a turn's replies (before they are dropped)."""
    found = []
    for reply in replies:
        mark = (reply.custom or {}).get("outcome")
        if isinstance(mark, dict) and mark.get("kind") in KINDS:
            found.append(mark)
    return found


def events_of_turn(
    before: Session,
    after: Session,
    marks: Sequence[Mapping[str, Any]],
    message_id: int | None,
    at: datetime,
) -> list[dict[str, Any]]:
    """The outcome events of one turn (plain dicts, ready to queue)."""
    base = {
        "at": at.isoformat(),
        "subject": subject_of(after.citizen_id),
        "channel": after.channel,
        "lang": after.lang,
        "simple_mode": after.simple_mode,
    }
    rows: list[dict[str, Any]] = []
    for mark in marks:
        row = {**base, "kind": str(mark["kind"])}
        for name in ("form", "field", "guide"):
            if isinstance(mark.get(name), str):
                row[name] = mark[name][:120]
        if isinstance(mark.get("step"), int):
            row["step"] = mark["step"]
        if row["kind"] in QUESTION_KINDS:
            row["message_id"] = message_id
            if isinstance(mark.get("search_ms"), int | float):
                row["search_ms"] = float(mark["search_ms"])
        rows.append(row)
    if after.ticket_id is not None and after.ticket_id != before.ticket_id:
        rows.append({**base, "kind": "handed_off", "ticket_id": after.ticket_id})
    elif after.pending == "offer" and before.pending != "offer":
        rows.append({**base, "kind": "person_offered"})
    return rows


def count(rows: Iterable[Mapping[str, Any]]) -> None:
    """Prometheus counters for the events of a turn (in the gateway that served it)."""
    for row in rows:
        kind = row["kind"]
        metrics.OUTCOMES.labels(kind, row["lang"], row["channel"]).inc()
        step = str(row.get("step") if row.get("step") is not None else "")
        if kind in ("form_step", "form_summary"):
            metrics.FORM_STEPS.labels(row.get("form") or "", step or "0").inc()
        elif kind in _DROPOUTS:
            metrics.FORM_DROPOUTS.labels(row.get("form") or "", step, _DROPOUTS[kind]).inc()
        elif kind == "form_invalid":
            metrics.FORM_INVALID.labels(row.get("form") or "", row.get("field") or "").inc()
        if "search_ms" in row:
            metrics.SEARCH_SECONDS.labels(row["lang"]).observe(row["search_ms"] / 1000)


def queue_in(pipe: Pipeline, rows: Sequence[Mapping[str, Any]]) -> None:
    """Queue a turn's events with the turn's last round trip to Redis (and follow its forms,
    to count those left idle: bot/outcomes/idle_forms.py)."""
    if rows:
        pipe.rpush(keys.outcome_events(), *(json.dumps(r, separators=(",", ":")) for r in rows))
        idle_forms.track_in(pipe, rows)


def to_model(row: Mapping[str, Any]) -> OutcomeEvent:
    return OutcomeEvent(
        at=datetime.fromisoformat(row["at"]),
        subject=row["subject"],
        kind=row["kind"],
        channel=str(row["channel"])[:40],
        lang=str(row["lang"])[:5],
        simple_mode=bool(row.get("simple_mode")),
        **{name: row.get(name) for name in _COLUMNS},
    )


class OutcomeDrain:
    """Moves queued events from Redis to SQL in batches (every gateway replica may run one:
    LPOP hands each event to one of them). A batch SQL refuses goes back to the queue's head.
    With a clock it also counts the forms left idle past `idle_s` (idle_forms.sweep)."""

    def __init__(
        self,
        redis: Redis,
        db: Database,
        batch: int = 500,
        clock: Clock | None = None,
        idle_s: int = 1800,
    ) -> None:
        self.redis = redis
        self.db = db
        self.batch = batch
        self.clock = clock
        self.idle_s = idle_s

    async def drain_once(self) -> int:
        """Move what is queued now; returns how many events were stored."""
        stored = 0
        while True:
            raw: list[bytes] | None = await self.redis.lpop(  # type: ignore[assignment]
                keys.outcome_events(), self.batch
            )
            if not raw:
                return stored
            rows = []
            for item in raw:
                try:
                    rows.append(json.loads(item))
                except ValueError:
                    log.warning("dropped an unreadable outcome event")
            try:
                await asyncio.to_thread(self._store, rows)
            except StoreUnavailable:
                await self.redis.lpush(keys.outcome_events(), *reversed(raw))
                raise
            stored += len(rows)
            if len(raw) < self.batch:
                return stored

    async def tick(self) -> int:
        """One round of the background task: count the forms left idle, move the events."""
        if self.clock is not None:
            await idle_forms.sweep(self.redis, self.clock.now(), self.idle_s)
        return await self.drain_once()

    def _store(self, rows: list[dict[str, Any]]) -> None:
        with self.db.session() as session:
            session.add_all([to_model(r) for r in rows])

    async def run(self, interval_s: float) -> None:
        while True:
            try:
                await self.tick()
            except (StoreUnavailable, RedisError, OSError) as exc:
                log.warning("outcome events wait in Redis: %s", type(exc).__name__)
            except Exception:  # the drain must never stop
                log.exception("outcome drain failed")
            await asyncio.sleep(interval_s)
