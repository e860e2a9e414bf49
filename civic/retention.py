"""Retention that forgets: what `civic retention run` deletes (the CronJob runs it nightly,
`civic up` daily).

Past CIVIC_RETENTION_DAYS (365) of a conversation's inactivity (its last message in the
transcript or its Rasa tracker's last event, whichever is later), unless the citizen has an
open ticket:
- the transcript and closed tickets (bot/storage/retention.py);
- the Rasa tracker and its lock in Redis: every message, slot and form draft of the
  conversation (a paused form expires with it);
- the session in Redis, replaced by a marker holding only the language, so that a citizen who
  comes back is told their earlier conversation and unfinished form were deleted; the
  channel identities linked to the citizen and their delivery cursors;
- uploaded files (var/uploads, shared by the replicas) older than the period.
Cases that reached a final status of their workflow (closed_at) more than
CIVIC_CASE_RETENTION_DAYS (365) ago are deleted with their event log, notes, photos,
notifications, reviews and outbox entries (bot/cases/retention.py).
The audit log has its own longer period, CIVIC_AUDIT_RETENTION_DAYS (2190, six years).

Then from disk too: SQLite overwrites deleted content (secure_delete) and checkpoints its
write-ahead log; a Redis with an append-only file rewrites it (BGREWRITEAOF), so the deleted
commands are not kept there. PostgreSQL frees deleted rows at (auto)vacuum; the README says
what that means.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import redis
from sqlalchemy import delete, func, select, text

from bot.agents.models import AuditEntry
from bot.cases.retention import run_case_retention
from bot.storage import keys
from bot.storage.db import Database
from bot.storage.models import Ticket, TranscriptMessage
from bot.storage.retention import CLOSED_STATES, run_retention, secure_delete

log = logging.getLogger(__name__)

FORGOTTEN_CITIZEN = "forgotten"


@dataclass(frozen=True)
class RetentionPeriods:
    days: int = 365
    case_days: int = 365
    audit_days: int = 2190

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> RetentionPeriods:
        env = os.environ if environ is None else environ
        return cls(
            days=_days(env, "CIVIC_RETENTION_DAYS", 365),
            case_days=_days(env, "CIVIC_CASE_RETENTION_DAYS", 365),
            audit_days=_days(env, "CIVIC_AUDIT_RETENTION_DAYS", 2190),
        )


def _days(env: Mapping[str, str], name: str, default: int) -> int:
    raw = (env.get(name) or str(default)).strip()
    if not raw.isdigit() or int(raw) < 1:
        raise SystemExit(f"{name} must be a whole number of days >= 1, got {raw!r}")
    return int(raw)


@dataclass
class RetentionReport:
    cutoff: datetime
    dry_run: bool
    deleted: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"cutoff": self.cutoff.isoformat(), "dry_run": self.dry_run, "deleted": self.deleted}


def run(
    db: Database,
    client: redis.Redis,
    uploads: Path,
    now: datetime,
    periods: RetentionPeriods,
    dry_run: bool = False,
) -> RetentionReport:
    cutoff = now - timedelta(days=periods.days)
    report = RetentionReport(cutoff, dry_run)
    with db.session() as session:
        kept = set(
            session.scalars(select(Ticket.citizen_id).where(Ticket.status.not_in(CLOSED_STATES)))
        )
        kept |= set(
            session.scalars(
                select(TranscriptMessage.citizen_id)
                .where(TranscriptMessage.created_at >= cutoff)
                .group_by(TranscriptMessage.citizen_id)
            )
        )
    trackers, active = _trackers(client, cutoff, kept)
    kept |= active
    sessions = [cid for cid in _citizens_with_sessions(client) if cid not in kept]
    sql = run_retention(db, now, periods.days, dry_run=dry_run)
    report.deleted.update(
        {
            "messages": sql.messages,
            "tickets": sql.tickets,
            "ticket_events": sql.ticket_events,
            "outcome_events": sql.outcome_events,
        }
    )
    report.deleted["rasa_trackers"] = len(trackers)
    report.deleted["sessions"] = len(sessions)
    finished = run_case_retention(db, now, periods.case_days, uploads.parent, dry_run=dry_run)
    report.deleted.update(
        {
            "cases": finished.cases,
            "case_events": finished.case_events,
            "case_photos": finished.photos,
            "outbox_payloads": finished.outbox_payloads,
        }
    )
    report.deleted["audit_entries"] = _audit(db, now - timedelta(days=periods.audit_days), dry_run)
    old_files = list(_old_files(uploads, cutoff))
    report.deleted["uploads"] = len(old_files)
    if not dry_run:
        for sender in trackers:
            client.delete(keys.RASA_TRACKER_PREFIX + sender, keys.RASA_LOCK_PREFIX + sender)
        for citizen in sessions:
            _forget_session(client, citizen, periods.days, now)
        for path in old_files:
            path.unlink(missing_ok=True)
        _off_the_disk(db, client)
    return report


def _trackers(client: redis.Redis, cutoff: datetime, kept: set[str]) -> tuple[list[str], set[str]]:
    """(senders whose tracker is idle past the cutoff, senders whose tracker is active)."""
    idle, active = [], set()
    limit = cutoff.timestamp()
    for key in client.scan_iter(match=keys.RASA_TRACKER_PREFIX + "*", count=500):
        name = key.decode() if isinstance(key, bytes) else str(key)
        sender = name[len(keys.RASA_TRACKER_PREFIX) :]
        raw = client.get(name)
        if raw is None:
            continue
        try:
            events = json.loads(raw).get("events") or []
            last = max((float(e.get("timestamp") or 0) for e in events), default=0.0)
        except (ValueError, AttributeError, TypeError):
            last = 0.0  # unreadable: nothing in it says it is recent
        if last >= limit:
            active.add(sender)
        elif sender not in kept:
            idle.append(sender)
    return idle, active


def _citizens_with_sessions(client: redis.Redis) -> Iterator[str]:
    prefix = keys.session("")
    for key in client.scan_iter(match=prefix + "*", count=500):
        name = key.decode() if isinstance(key, bytes) else str(key)
        raw = client.get(name)
        try:
            forgotten = raw is None or bool(json.loads(raw).get("forgotten"))
        except (ValueError, AttributeError):
            forgotten = False  # unreadable: forget it too
        if not forgotten:  # gone, or already forgotten
            yield name[len(prefix) :]


def _forget_session(client: redis.Redis, citizen: str, days: int, now: datetime) -> None:
    """The session gives way to a marker with the language only (the citizen is told, in it,
    what was deleted if they come back); linked identities and delivery state go."""
    raw = client.get(keys.session(citizen))
    try:
        old = json.loads(raw) if raw else {}
    except ValueError:
        old = {}
    marker = {"lang": old.get("lang") or "en", "forgotten": now.date().isoformat()}
    linked = [m.decode() if isinstance(m, bytes) else str(m)
              for m in client.smembers(keys.identities(citizen))]  # type: ignore[union-attr]  # fmt: skip
    pipe = client.pipeline()
    pipe.set(keys.session(citizen), json.dumps(marker), ex=days * 86400)
    pipe.delete(keys.identities(citizen))
    for identity in linked:
        if identity != citizen:
            pipe.delete(keys.identity(identity))
        pipe.delete(keys.delivery_cursor(identity))
    pipe.zrem(keys.idle_index(), citizen)
    pipe.execute()


def _audit(db: Database, cutoff: datetime, dry_run: bool) -> int:
    with db.session() as session:
        count = int(session.scalar(select(func.count()).where(AuditEntry.at < cutoff)) or 0)
        if count and not dry_run:
            secure_delete(db, session)
            session.execute(delete(AuditEntry).where(AuditEntry.at < cutoff))
    return count


def _old_files(uploads: Path, cutoff: datetime) -> Iterator[Path]:
    if not uploads.is_dir():
        return
    limit = cutoff.timestamp()
    for path in uploads.rglob("*"):
        if path.is_file() and path.stat().st_mtime < limit:
            yield path


def _off_the_disk(db: Database, client: redis.Redis) -> None:
    """What was deleted leaves the files too: SQLite's WAL is checkpointed into the (zeroed)
    database file; a Redis append-only file is rewritten without the deleted keys."""
    if db.url.startswith("sqlite"):
        with db.engine.connect() as connection:
            connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    try:
        if client.config_get("appendonly").get("appendonly") == "yes":
            client.bgrewriteaof()
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                info = client.info("persistence")
                if not info.get("aof_rewrite_in_progress") and not info.get(
                    "aof_rewrite_scheduled"
                ):
                    break
                time.sleep(0.2)
    except redis.RedisError as exc:  # managed Redis often forbids CONFIG: it manages its files
        log.info("Redis append-only file not rewritten (%s)", type(exc).__name__)
