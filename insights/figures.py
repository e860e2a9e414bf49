"""The supervisors' figures, computed from the outcome events and the handoff tickets only.

Definitions:
- A **session** is one citizen's (subject's) events with no silence longer than the idle time
  (CIVIC_SESSION_IDLE_MIN, 30 minutes) between two of them; it belongs to the day (in the
  office's time zone) of its first event.
- **Containment** = sessions with at least one question (answered, clarified, declined) or form
  step and no request for a person (`handed_off`, `person_offered`) / all sessions with at least
  one question or form step.
- A **form run** starts with `form_started` or `form_resumed` and holds that form's events of
  the same session until it is submitted or the session ends. It is **abandoned** when it has
  no `form_submitted`; the reason is its last event (cancelled, paused, handoff) or `left`: a
  citizen silent for longer than the idle time dropped out at the step they were on (the
  gateway's `civic_bot_form_dropouts_total{reason="left"}` counts the same, as it happens). A
  run with no end whose session is still open at the end of the window (its last event less
  than the idle time before it) is **in progress**: neither submitted nor abandoned yet.
- **Funnel** per form and mode (normal / simplified): runs started; runs that reached each step
  (a run reaching step k passed every step before it, asked or filled from the first message);
  the summary (step n + 1); submitted. Drop-off at a step = reached it - reached the next one
  - runs in progress at it.
  The time at a step is from that question being asked to the run's next event (median).
- **Heat map**: handoff requests (tickets, every kind) per weekday x hour in the office's time
  zone over the last four weeks; each cell lists its ticket ids.
- **Satisfaction**: handoff ratings and case ratings, per day, apart (insights/satisfaction.py).
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.storage.db import Database
from bot.storage.models import OutcomeEvent, Ticket
from insights.forecast import WEEKDAYS

QUESTIONS = ("answered", "clarified", "declined")
PERSON = ("handed_off", "person_offered")
FORM_STEPS = ("form_step", "form_summary", "form_invalid", "form_submitted")
RUN_ENDS = {"form_cancelled": "cancelled", "form_paused": "paused", "form_handoff": "handoff"}


@dataclass(frozen=True)
class Event:
    at: datetime
    subject: str
    kind: str
    channel: str
    lang: str
    simple_mode: bool
    form: str | None = None
    field: str | None = None
    step: int | None = None


def load_events(db: Database, start: datetime, end: datetime) -> list[Event]:
    """Events in [start, end), in time order (ties by id)."""
    with db.session() as session:
        rows = session.scalars(
            select(OutcomeEvent)
            .where(OutcomeEvent.at >= start, OutcomeEvent.at < end)
            .order_by(OutcomeEvent.at, OutcomeEvent.id)
        ).all()
        return [
            Event(r.at, r.subject, r.kind, r.channel, r.lang, r.simple_mode, r.form, r.field,
                  r.step)
            for r in rows
        ]  # fmt: skip


def sessions(events: Iterable[Event], idle_s: int) -> list[list[Event]]:
    by_subject: dict[str, list[Event]] = defaultdict(list)
    for e in events:
        by_subject[e.subject].append(e)
    out: list[list[Event]] = []
    for items in by_subject.values():
        items.sort(key=lambda e: e.at)
        current = [items[0]]
        for e in items[1:]:
            if (e.at - current[-1].at).total_seconds() > idle_s:
                out.append(current)
                current = []
            current.append(e)
        out.append(current)
    out.sort(key=lambda s: (s[0].at, s[0].subject))
    return out


@dataclass
class FormRun:
    form: str
    simple_mode: bool
    started: datetime
    events: list[Event]
    in_progress: bool = False  # no end yet, in a session still open at the window's end

    @property
    def submitted(self) -> bool:
        return any(e.kind == "form_submitted" for e in self.events)

    @property
    def abandoned(self) -> bool:
        return not self.submitted and not self.in_progress

    @property
    def end_reason(self) -> str | None:
        if not self.abandoned:
            return None
        return next((RUN_ENDS[e.kind] for e in reversed(self.events) if e.kind in RUN_ENDS), "left")


def still_open(session: Sequence[Event], end: datetime | None, idle_s: int) -> bool:
    """Whether the session may still go on at `end` (None: every session has ended)."""
    return end is not None and (end - session[-1].at).total_seconds() <= idle_s


def form_runs(session: Sequence[Event], open_session: bool = False) -> list[FormRun]:
    """The session's form runs; with `open_session`, those not ended yet are in progress."""
    runs: list[FormRun] = []
    open_runs: dict[str, FormRun] = {}
    for e in session:
        if not e.form:
            continue
        if e.kind in ("form_started", "form_resumed"):
            run = FormRun(e.form, e.simple_mode, e.at, [e])
            open_runs[e.form] = run
            runs.append(run)
            continue
        run_or_none = open_runs.get(e.form)
        if run_or_none is None:
            continue  # a run that began before the window
        run_or_none.events.append(e)
        if e.kind == "form_submitted" or e.kind in RUN_ENDS:
            del open_runs[e.form]
    for run in open_runs.values():
        run.in_progress = open_session
    return runs


def _day(at: datetime, zone: tzinfo) -> str:
    return at.astimezone(zone).date().isoformat()


def days_of(start: datetime, end: datetime, zone: tzinfo) -> list[str]:
    first: date = start.astimezone(zone).date()
    last: date = (end - timedelta(microseconds=1)).astimezone(zone).date()
    return [(first + timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]


def _blank() -> dict[str, Any]:
    return {
        "answered": 0, "clarified": 0, "declined": 0, "handed_off": 0, "person_offered": 0,
        "forms_started": 0, "forms_submitted": 0, "forms_abandoned": 0, "forms_in_progress": 0,
        "sessions": 0, "contained": 0, "containment": None,
    }  # fmt: skip


def outcomes_per_day(
    events: Sequence[Event],
    start: datetime,
    end: datetime,
    zone: tzinfo,
    idle_s: int,
) -> dict[str, Any]:
    """Per day: the outcome counts, forms, containment; overall per channel and language."""
    days = {d: _blank() for d in days_of(start, end, zone)}
    by_channel: dict[str, dict[str, Any]] = defaultdict(_blank)
    by_lang: dict[str, dict[str, Any]] = defaultdict(_blank)
    for e in events:
        if e.kind in QUESTIONS or e.kind in PERSON:
            for row in (days[_day(e.at, zone)], by_channel[e.channel], by_lang[e.lang]):
                row[e.kind] += 1
    for s in sessions(events, idle_s):
        first = s[0]
        rows = (days[_day(first.at, zone)], by_channel[first.channel], by_lang[first.lang])
        for run in form_runs(s, still_open(s, end, idle_s)):
            state = "submitted" if run.submitted else "in_progress" if run.in_progress else ""
            for row in rows:
                row["forms_started"] += 1
                row[f"forms_{state or 'abandoned'}"] += 1
        if any(e.kind in QUESTIONS or e.kind in FORM_STEPS or e.form for e in s):
            contained = not any(e.kind in PERSON for e in s)
            for row in rows:
                row["sessions"] += 1
                row["contained"] += contained
    for row in [*days.values(), *by_channel.values(), *by_lang.values()]:
        row["containment"] = (
            round(row["contained"] / row["sessions"], 4) if row["sessions"] else None
        )
    return {
        "days": [{"day": d, **row} for d, row in days.items()],
        "by_channel": dict(sorted(by_channel.items())),
        "by_lang": dict(sorted(by_lang.items())),
    }


def funnel(
    events: Sequence[Event], idle_s: int, steps: dict[str, int], end: datetime | None = None
) -> list[dict[str, Any]]:
    """Per form (and mode): started, each step reached with its drop-off and median time, the
    summary, submitted; validation failures per field. `steps`: questions per form; `end`:
    the window's end (runs of sessions still open then are in progress, not dropped)."""
    groups: dict[tuple[str, bool], list[FormRun]] = defaultdict(list)
    for s in sessions(events, idle_s):
        for run in form_runs(s, still_open(s, end, idle_s)):
            groups[(run.form, run.simple_mode)].append(run)
    out = []
    for (form, simple), runs in sorted(groups.items()):
        n = steps.get(form) or max((e.step or 0 for r in runs for e in r.events), default=1) - 1
        reached = [0] * (n + 2)  # index k: runs that reached step k (n + 1 = summary)
        waiting = [0] * (n + 2)  # index k: runs in progress at step k
        times: dict[int, list[float]] = defaultdict(list)
        invalid: Counter[str] = Counter()
        for run in runs:
            top = max((e.step or 0 for e in run.events if e.kind in ("form_step", "form_summary")),
                      default=0)  # fmt: skip
            if run.submitted:
                top = n + 1
            for k in range(1, min(top, n + 1) + 1):
                reached[k] += 1
            if run.in_progress and top:
                waiting[min(top, n + 1)] += 1
            for i, e in enumerate(run.events):
                if e.kind == "form_invalid" and e.field:
                    invalid[e.field] += 1
                if e.kind in ("form_step", "form_summary") and e.step is not None:
                    after = next((x for x in run.events[i + 1 :] if x.kind != "form_invalid"), None)
                    if after is not None:
                        times[e.step].append((after.at - e.at).total_seconds())
        started = len(runs)
        submitted = sum(r.submitted for r in runs)
        rows = []
        for k in range(1, n + 2):
            nxt = reached[k + 1] if k + 1 <= n + 1 else submitted
            rows.append(
                {
                    "step": k,
                    "summary": k == n + 1,
                    "reached": reached[k],
                    "dropped": reached[k] - nxt - waiting[k],
                    "in_progress": waiting[k],
                    "median_s": statistics.median(times[k]) if times.get(k) else None,
                }
            )
        reasons = Counter(r.end_reason for r in runs if r.abandoned)
        out.append(
            {
                "form": form,
                "mode": "simple" if simple else "normal",
                "started": started,
                "steps": rows,
                "submitted": submitted,
                "in_progress": sum(r.in_progress for r in runs),
                "abandoned": dict(sorted(reasons.items())),
                "validation_failures": dict(sorted(invalid.items())),
            }
        )
    return out


def heat_map(db: Database, end: datetime, zone: tzinfo, weeks: int = 4) -> dict[str, Any]:
    """Handoff requests per weekday x hour over the last `weeks` weeks, with the ticket ids."""
    start = end - timedelta(weeks=weeks)
    with db.session() as session:
        rows = session.execute(
            select(Ticket.id, Ticket.created_at)
            .where(Ticket.created_at >= start, Ticket.created_at < end)
            .order_by(Ticket.id)
        ).all()
    cells: dict[tuple[int, int], list[int]] = defaultdict(list)
    for r in rows:
        local = r.created_at.astimezone(zone)
        cells[(local.weekday(), local.hour)].append(r.id)
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "cells": [
            {
                "weekday": WEEKDAYS[d],
                "hour": h,
                "count": len(cells.get((d, h), [])),
                "tickets": cells.get((d, h), []),
            }
            for d in range(7)
            for h in range(24)
        ],
        "total": len(rows),
    }


def stale_guides(guides_dir: Path, today: date, max_age_days: int) -> list[dict[str, Any]]:
    """Every guide by review date (oldest first), flagged past the age limit."""
    from knowledge_base.guide import load_guides

    rows = [
        {
            "id": g.id,
            "lang": g.lang,
            "title": g.title,
            "reviewed": g.reviewed.isoformat(),
            "age_days": (today - g.reviewed).days,
            "stale": (today - g.reviewed).days > max_age_days,
        }
        for g in load_guides(guides_dir)
    ]
    return sorted(rows, key=lambda r: (r["reviewed"], r["id"], r["lang"]))


def tickets(db: Database, ids: Sequence[int]) -> list[dict[str, Any]]:
    """The tickets behind a heat-map cell (no personal data: no citizen id, no note)."""
    if not ids:
        return []
    with db.session() as session:
        rows = session.scalars(select(Ticket).where(Ticket.id.in_(list(ids))).order_by(Ticket.id))
        return [
            {"id": t.id, "created_at": t.created_at.isoformat(), "status": t.status,
             "kind": t.kind, "team": t.team, "lang": t.lang, "topic": t.topic,
             "agent": t.agent, "rating": t.rating}
            for t in rows
        ]  # fmt: skip
