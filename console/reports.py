"""Reports for supervisors (computed from the timing events) and Prometheus metrics."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot.handoff import metrics as handoff_metrics
from bot.handoff import ticket_records
from bot.handoff.reports import handoff_report, load_timelines
from console.api import Accounts, Desk, Gw
from console.auth import Supervisor

router = APIRouter(tags=["reports"])
# on the gateway's port, or on a port of its own (CIVIC_METRICS_PORT; civic/app.py)
metrics_router = APIRouter(tags=["operations"])


def instant(raw: str | None, name: str, default: datetime) -> datetime:
    """An ISO 8601 query parameter (UTC when it names no zone), or the default; 422 if bad."""
    if raw is None or not raw.strip():
        return default
    try:
        value = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        raise HTTPException(422, f"{name} must be an ISO 8601 date or time") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@router.get(
    "/api/v1/reports/handoff",
    summary="Handoff report: pick-up, first response, reply, resolution, abandonment, SLA",
    description="Tickets requested in [from, to) (ISO 8601; default: the last 7 days), "
    "overall and per agent, team and day, each in calendar time and in business hours. "
    "Supervisors only. Durations are seconds.",
)
async def report(
    agent: Supervisor,
    gw: Gw,
    acc: Accounts,
    from_: Annotated[str | None, Query(alias="from")] = None,
    to: Annotated[str | None, Query()] = None,
) -> dict[str, Any]:
    now = gw.clock.now()
    end = instant(to, "to", now)
    start = instant(from_, "from", end - timedelta(days=7))
    if end <= start or end - start > timedelta(days=366):
        raise HTTPException(422, "from must be before to, at most 366 days apart")
    timelines = await asyncio.to_thread(load_timelines, gw.db, start, end)
    return handoff_report(timelines, gw.handoff_settings, start, end, now)


@router.get("/api/v1/reports/audit", summary="The newest audit log entries (supervisors only)")
async def audit(agent: Supervisor, acc: Accounts, limit: int = 100) -> list[dict[str, Any]]:
    return await asyncio.to_thread(acc.audit_entries, max(1, min(limit, 1000)))


@metrics_router.get("/metrics", summary="Prometheus metrics", include_in_schema=True)
async def metrics(gw: Gw, d: Desk) -> Response:
    counts: dict[str, int] = {}
    for ticket in await d.queue.waiting():
        counts[ticket.team] = counts.get(ticket.team, 0) + 1
    handoff_metrics.QUEUE_LENGTH.clear()
    for team, count in counts.items():
        handoff_metrics.QUEUE_LENGTH.labels(team).set(count)
    handoff_metrics.HELD.set(len(await asyncio.to_thread(ticket_records.held, gw.db, None)))
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
