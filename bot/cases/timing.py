"""How long a case has taken: calendar time per status, and business time (office hours,
without the time spent waiting for the citizen) against its form's SLA."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from bot.cases.case import Case, Event
from bot.cases.workflow import Workflow


class Hours(Protocol):
    """Office hours (bot/handoff/office_hours.py), as cases use them."""

    def is_open(self, at: datetime) -> bool: ...

    def next_opening(self, at: datetime) -> datetime | None: ...

    def business_seconds(self, start: datetime, end: datetime) -> float: ...


class AlwaysOpen:
    def is_open(self, at: datetime) -> bool:
        return True

    def next_opening(self, at: datetime) -> datetime | None:
        return None

    def business_seconds(self, start: datetime, end: datetime) -> float:
        return max(0.0, (end - start).total_seconds())


@dataclass(frozen=True)
class Timing:
    """How long a case has taken, against its form's SLA (business hours)."""

    business_s: float  # in office hours, without the time spent waiting for the citizen
    waiting_for_citizen_s: float
    sla_s: float
    breached: bool
    by_status: Mapping[str, float] = field(default_factory=dict)  # calendar seconds per status


def timing(
    case: Case, events: Sequence[Event], workflow: Workflow, hours: Hours, now: datetime
) -> Timing:
    """Time per status (calendar), and business time to a final status without the time
    spent waiting for the citizen, against the form's SLA."""
    spans: list[tuple[str, datetime, datetime]] = []
    status, since = workflow.initial, case.created_at
    for event in events:
        if event.kind == "status" and event.to_status and event.to_status != status:
            spans.append((status, since, event.at))
            status, since = event.to_status, event.at
    spans.append((status, since, now))
    # the SLA clock stops at the first final status
    end = next((start for name, start, _ in spans if workflow.status(name).final), now)
    by_status: dict[str, float] = {}
    business = waiting = 0.0
    for name, start, stop in spans:
        by_status[name] = by_status.get(name, 0.0) + (stop - start).total_seconds()
        if start >= end:
            continue
        stop = min(stop, end)
        if workflow.status(name).final:
            continue
        seconds = hours.business_seconds(start, stop)
        if workflow.waits(name):
            waiting += seconds
        else:
            business += seconds
    sla_s = workflow.sla_hours * 3600
    return Timing(business, waiting, sla_s, business > sla_s, by_status)
