"""Handoff reports, computed only from the append-only timing events.

Definitions (seconds; every clock starts at the handoff request, not at the start of the chat):

- pick-up: first `accepted` - `requested` (a claim by hand is accepted at once; an automatic
  assignment when its agent opens the ticket or writes; older tickets: first `claimed`)
- first response: first `agent_replied` - `requested`
- agent reply: from the citizen's first unanswered message, or from the pick-up if later, to
  the agent's next message (a follow-up message nobody was waiting for is not a reply)
- resolution: `closed` - `requested`
- abandonment rate: abandoned / live tickets
- SLA attainment per priority: tickets picked up within the target / tickets that were picked
  up or waited past the target without being picked up (left, abandoned or still waiting)

Live chats only count towards pick-up, response, abandonment and SLA; left messages and booked
callbacks are counted by kind. Every figure also exists in a business-hours variant that only
counts time inside the office hours. p90 uses the nearest-rank method.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from bot.handoff.settings import HandoffSettings
from bot.storage.db import Database
from bot.storage.models import Ticket, TicketEvent

Measure = Callable[[datetime, datetime], float]


@dataclass(frozen=True)
class Event:
    kind: str
    at: datetime
    agent: str | None
    detail: dict[str, Any] | None = None


@dataclass(frozen=True)
class Timeline:
    ticket_id: int
    priority: int
    team: str
    kind: str
    rating: int | None
    requested: datetime
    events: tuple[Event, ...] = field(default=())

    def first(self, kind: str) -> Event | None:
        return next((e for e in self.events if e.kind == kind), None)

    def holders(self) -> set[str]:
        held = {e.agent for e in self.events if e.kind in ("claimed", "accepted") and e.agent}
        for e in self.events:
            if e.kind == "transferred" and e.detail and e.detail.get("to_agent"):
                held.add(str(e.detail["to_agent"]))
        return held

    def replies(self, measure: Measure) -> list[tuple[str | None, float]]:
        """(agent, seconds) for every agent message that answered a waiting citizen."""
        out: list[tuple[str | None, float]] = []
        claim_at: datetime | None = None
        pending: datetime | None = None
        owed = False
        for e in self.events:
            if e.kind in ("claimed", "accepted") or (
                e.kind == "transferred" and e.detail and e.detail.get("to_agent")
            ):
                claim_at, owed = e.at, True
            elif e.kind in ("released", "transferred"):
                claim_at, owed = None, False
            elif e.kind == "citizen_replied":
                if pending is None:
                    pending = e.at
                owed = owed or claim_at is not None
            elif e.kind == "agent_replied" and owed and claim_at is not None:
                start = max(pending or claim_at, claim_at)
                out.append((e.agent, measure(start, e.at)))
                owed, pending = False, None
        return out


def load_timelines(db: Database, start: datetime, end: datetime) -> list[Timeline]:
    """Every ticket requested in [start, end) with its events in order."""
    with db.session() as session:
        tickets = session.scalars(
            select(Ticket).where(Ticket.created_at >= start, Ticket.created_at < end)
        ).all()
        ids = [t.id for t in tickets]
        events: dict[int, list[Event]] = {i: [] for i in ids}
        for chunk in range(0, len(ids), 500):
            rows = session.scalars(
                select(TicketEvent)
                .where(TicketEvent.ticket_id.in_(ids[chunk : chunk + 500]))
                .order_by(TicketEvent.at, TicketEvent.id)
            ).all()
            for r in rows:
                events[r.ticket_id].append(Event(r.kind, r.at, r.agent, r.detail))
        return [
            Timeline(
                t.id, t.priority, t.team or "general", t.kind or "live", t.rating, t.created_at,
                tuple(events[t.id]),
            )
            for t in tickets
        ]  # fmt: skip


def stats(samples: Iterable[float]) -> dict[str, float | int | None]:
    values = sorted(samples)
    if not values:
        return {"count": 0, "mean": None, "median": None, "p90": None, "max": None}
    return {
        "count": len(values),
        "mean": round(statistics.fmean(values), 3),
        "median": round(float(statistics.median(values)), 3),
        "p90": round(values[max(0, math.ceil(0.9 * len(values)) - 1)], 3),
        "max": round(values[-1], 3),
    }


def figures(
    timelines: list[Timeline],
    settings: HandoffSettings,
    now: datetime,
    measure: Measure,
    agent: str | None = None,
) -> dict[str, Any]:
    """The report figures over some tickets (optionally attributed to one agent): how many of
    each kind, the times to pick-up, first response, reply and resolution (each counted for the
    agent who did it), abandonment, the SLA on pick-up, the ratings."""
    live = [t for t in timelines if t.kind == "live"]
    abandoned = sum(t.first("abandoned") is not None for t in live)
    ratings = [t.rating for t in timelines if t.rating is not None]
    return {
        "tickets": len(timelines),
        "by_kind": dict(Counter(t.kind for t in timelines)),
        **_durations(live, measure, agent),
        "abandoned": abandoned,
        "cancelled": sum(t.first("cancelled") is not None for t in live),
        "abandonment_rate": round(abandoned / len(live), 4) if live else None,
        "sla_pickup": _sla_pickup(live, settings, now, measure, agent),
        "rating": {
            "count": len(ratings),
            "mean": round(statistics.fmean(ratings), 3) if ratings else None,
        },
    }


def _durations(live: list[Timeline], measure: Measure, agent: str | None) -> dict[str, Any]:
    """Seconds from the request to each ticket's pick-up, first response and close, and the
    agents' reply times; a step counts for `agent` only when that agent did it."""

    def mine(event: Event | None) -> bool:
        return event is not None and (agent is None or event.agent == agent)

    def since_request(kind: str, *fallbacks: str) -> list[float]:
        found = []
        for t in live:
            event = next((e for k in (kind, *fallbacks) if (e := t.first(k))), None)
            if mine(event):
                assert event is not None
                found.append(measure(t.requested, event.at))
        return found

    pickups = since_request("accepted", "claimed")  # a claim by hand is accepted at once
    replies = [s for t in live for who, s in t.replies(measure) if agent is None or who == agent]
    return {
        "picked_up": len(pickups),
        "pickup_s": stats(pickups),
        "first_response_s": stats(since_request("agent_replied")),
        "agent_reply_s": stats(replies),
        "resolution_s": stats(since_request("closed")),
    }


def _sla_pickup(
    live: list[Timeline],
    settings: HandoffSettings,
    now: datetime,
    measure: Measure,
    agent: str | None,
) -> dict[str, dict[str, Any]]:
    """Per priority: the target, the tickets it applies to (picked up, or unpicked past the
    target: those count for nobody when the report is one agent's) and how many met it."""
    sla: dict[str, dict[str, Any]] = {}
    for t in live:
        target = settings.sla_target_s(t.priority)
        row = sla.setdefault(str(t.priority), {"target_s": target, "eligible": 0, "met": 0})
        claimed = t.first("accepted") or t.first("claimed")
        if claimed is not None:
            if agent is None or claimed.agent == agent:
                row["eligible"] += 1
                row["met"] += measure(t.requested, claimed.at) <= target
        elif agent is None:
            ended = t.first("abandoned") or t.first("cancelled") or t.first("closed")
            if measure(t.requested, ended.at if ended else now) > target:
                row["eligible"] += 1
    for row in sla.values():
        row["attainment"] = round(row["met"] / row["eligible"], 4) if row["eligible"] else None
    return sla


def handoff_report(
    timelines: list[Timeline],
    settings: HandoffSettings,
    start: datetime,
    end: datetime,
    now: datetime,
) -> dict[str, Any]:
    """The whole report: overall, per agent, per team and per day, each in calendar time and
    in business hours."""
    hours = settings.office_hours

    def calendar(a: datetime, b: datetime) -> float:
        return (b - a).total_seconds()

    def both(group: list[Timeline], agent: str | None = None) -> dict[str, Any]:
        return {
            "calendar": figures(group, settings, now, calendar, agent),
            "business_hours": figures(group, settings, now, hours.business_seconds, agent),
        }

    teams: dict[str, list[Timeline]] = {}
    days: dict[str, list[Timeline]] = {}
    agents: dict[str, list[Timeline]] = {}
    for t in timelines:
        teams.setdefault(t.team, []).append(t)
        days.setdefault(t.requested.astimezone(hours.zone).date().isoformat(), []).append(t)
        for name in t.holders():
            agents.setdefault(name, []).append(t)
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "generated_at": now.isoformat(),
        "sla_targets_s": {"0": settings.sla_pickup_s, "1": settings.sla_pickup_simple_s},
        "overall": both(timelines),
        "by_agent": {name: both(group, name) for name, group in sorted(agents.items())},
        "by_team": {name: both(group) for name, group in sorted(teams.items())},
        "by_day": {day: both(group) for day, group in sorted(days.items())},
    }
