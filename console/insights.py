"""The insights routes: every figure as JSON, or as CSV with `?format=csv` (the same rows as
the page's table alternative: one row per data point). Supervisors see the figures; editors
(and supervisors) see and mark the unanswered-question groups and the stale guides."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import datetime, timedelta
from functools import cache
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Response
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

from bot.handoff.reports import handoff_report, load_timelines
from console.api import Accounts, Gw
from console.auth import Editor, Supervisor
from console.inputs import PlainText
from console.reports import instant
from insights import clusters, figures, forecast, question_labels, satisfaction, tables
from insights.settings import InsightsSettings

router = APIRouter(prefix="/api/v1/insights", tags=["insights"])
Format = Annotated[Literal["json", "csv"], Query(description="json, or csv for a spreadsheet")]
MAX_SPAN = timedelta(days=366)


@cache
def settings() -> InsightsSettings:
    return InsightsSettings.from_env()


def _window(gw: Any, from_: str | None, to: str | None, days: int) -> tuple[datetime, datetime]:
    end = instant(to, "to", gw.clock.now())
    start = instant(from_, "from", end - timedelta(days=days))
    if end <= start or end - start > MAX_SPAN:
        raise HTTPException(422, "from must be before to, at most 366 days apart")
    return start, end


def _answer(data: dict[str, Any], table: tables.Table, fmt: str, name: str) -> Any:
    if fmt == "json":
        return data
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.columns)
    writer.writerows([tables.cell(v) for v in row] for row in table.rows)
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


From = Annotated[str | None, Query(alias="from", description="ISO 8601 (default: 28 days ago)")]
To = Annotated[str | None, Query(description="ISO 8601 (default: now)")]


@router.get("/outcomes", summary="Bot outcomes, forms and containment per day (supervisors)")
async def outcomes(
    agent: Supervisor, gw: Gw, from_: From = None, to: To = None, format: Format = "json"
) -> Any:
    start, end = _window(gw, from_, to, 28)
    zone = gw.handoff_settings.office_hours.zone
    events = await asyncio.to_thread(figures.load_events, gw.db, start, end)
    data = figures.outcomes_per_day(events, start, end, zone, settings().session_idle_s)
    data.update(await _satisfaction(gw, start, end))
    return _answer(data, tables.outcomes(data), format, "outcomes")


async def _satisfaction(gw: Any, start: datetime, end: datetime) -> dict[str, Any]:
    zone = gw.handoff_settings.office_hours.zone
    handoff = await asyncio.to_thread(satisfaction.load_handoff_ratings, gw.db, start, end)
    cases = await asyncio.to_thread(satisfaction.load_case_ratings, gw.db, start, end)
    return satisfaction.per_day(figures.days_of(start, end, zone), handoff, cases, zone)


@router.get("/satisfaction", summary="Handoff and case ratings per day, apart (supervisors)")
async def satisfaction_trend(
    agent: Supervisor, gw: Gw, from_: From = None, to: To = None, format: Format = "json"
) -> Any:
    start, end = _window(gw, from_, to, 28)
    data = await _satisfaction(gw, start, end)
    table = tables.Table(satisfaction.COLUMNS, satisfaction.table_rows(data))
    return _answer(data, table, format, "satisfaction")


@router.get("/funnel", summary="Form funnel per form and mode (supervisors)")
async def funnel(
    agent: Supervisor, gw: Gw, from_: From = None, to: To = None, format: Format = "json"
) -> Any:
    start, end = _window(gw, from_, to, 28)
    events = await asyncio.to_thread(figures.load_events, gw.db, start, end)
    idle_s = settings().session_idle_s
    data = {"forms": figures.funnel(events, idle_s, tables.form_steps(), end)}
    return _answer(data, tables.funnel(data), format, "funnel")


@router.get("/demand", summary="Handoff requests by weekday x hour, four weeks (supervisors)")
async def demand(agent: Supervisor, gw: Gw, format: Format = "json") -> Any:
    zone = gw.handoff_settings.office_hours.zone
    data = await asyncio.to_thread(figures.heat_map, gw.db, gw.clock.now(), zone)
    return _answer(data, tables.heat_map(data), format, "demand")


@router.get("/demand/tickets", summary="The tickets of one heat-map cell (supervisors)")
async def demand_tickets(
    agent: Supervisor,
    gw: Gw,
    weekday: Annotated[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"], Query()],
    hour: Annotated[int, Query(ge=0, le=23)],
) -> dict[str, Any]:
    zone = gw.handoff_settings.office_hours.zone
    data = await asyncio.to_thread(figures.heat_map, gw.db, gw.clock.now(), zone)
    cell = next(c for c in data["cells"] if c["weekday"] == weekday and c["hour"] == hour)
    return {
        "weekday": weekday,
        "hour": hour,
        "tickets": await asyncio.to_thread(figures.tickets, gw.db, cell["tickets"]),
    }


@router.get("/pickup", summary="Pick-up time and SLA attainment per day (supervisors)")
async def pickup(
    agent: Supervisor, gw: Gw, from_: From = None, to: To = None, format: Format = "json"
) -> Any:
    start, end = _window(gw, from_, to, 28)
    timelines = await asyncio.to_thread(load_timelines, gw.db, start, end)
    report = handoff_report(timelines, gw.handoff_settings, start, end, gw.clock.now())
    data = tables.pickup_trend(report)
    return _answer(data, tables.pickup(data), format, "pickup")


@router.get("/forecast", summary="Handoff arrivals and agents per slot, next 7 days (supervisors)")
async def staffing(agent: Supervisor, gw: Gw, format: Format = "json") -> Any:
    zone = gw.handoff_settings.office_hours.zone
    data = await asyncio.to_thread(forecast.forecast, gw.db, gw.clock.now(), settings(), zone)
    return _answer(data, tables.forecast(data), format, "forecast")


@router.get("/guides", summary="Guides by review date, stale ones flagged (editors)")
async def guides(agent: Editor, gw: Gw, format: Format = "json") -> Any:
    rows = await asyncio.to_thread(
        figures.stale_guides,
        clusters.guides_dir(),
        gw.clock.now().date(),
        settings().guide_stale_days,
    )
    data = {"max_age_days": settings().guide_stale_days, "guides": rows}
    return _answer(data, tables.guides(data), format, "guides")


@router.get("/questions", summary="Unanswered questions grouped by meaning (editors)")
async def questions(agent: Editor, gw: Gw, format: Format = "json") -> Any:
    data = {
        "clusters": await asyncio.to_thread(clusters.list_clusters, gw.db),
        # the agents' labels on declined questions (console ticket view), for civic kb calibrate
        "labels": await asyncio.to_thread(question_labels.summary, gw.db),
    }
    return _answer(data, tables.questions(data), format, "questions")


class MarkIn(BaseModel):
    status: Literal["open", "new_guide", "covered", "out_of_scope"]
    guide: PlainText | None = Field(default=None, max_length=120, description="for covered")


ClusterId = Annotated[int, Path(ge=1, le=2**62)]


@router.post("/questions/{cluster_id}/mark", summary="An editor's decision on a group")
async def mark(
    cluster_id: ClusterId, body: MarkIn, agent: Editor, gw: Gw, acc: Accounts
) -> dict[str, Any]:
    try:
        await asyncio.to_thread(
            clusters.mark,
            gw.db,
            cluster_id,
            body.status,
            agent.username,
            gw.clock.now(),
            body.guide,
        )
    except KeyError:
        raise HTTPException(404, "no such group (a newer clustering run replaced it)") from None
    except clusters.MarkError as exc:
        raise HTTPException(422, str(exc)) from None
    await acc.audit(
        agent.username,
        "cluster_marked",
        str(cluster_id),
        {"status": body.status, "guide": body.guide},
    )
    return {"id": cluster_id, "status": body.status, "covered_by": body.guide}


@router.get(
    "/questions/{cluster_id}/patch",
    summary="The group's questions added to a guide, as a diff (editors)",
    response_class=PlainTextResponse,
)
async def patch(
    cluster_id: ClusterId,
    agent: Editor,
    gw: Gw,
    guide: Annotated[str | None, Query(max_length=120)] = None,
) -> Response:
    try:
        diff = await asyncio.to_thread(clusters.guide_patch, gw.db, cluster_id, guide)
    except KeyError:
        raise HTTPException(404, "no such group") from None
    except clusters.MarkError as exc:
        raise HTTPException(422, str(exc)) from None
    return PlainTextResponse(diff, media_type="text/x-diff; charset=utf-8")
