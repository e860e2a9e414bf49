"""The back office's overview: supervisors see the webhook dead-letter list (and replay it) and
the low-rating reviews; caseworkers and supervisors see the case reports, as JSON or, one table
at a time, as CSV (`?format=csv&table=...`, the rows of the page's tables)."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Response

from bot.cases.reports import case_report
from console.api import Accounts
from console.auth import Caseworker, Supervisor
from console.case_models import DeadLetterItem, ResolveIn, ReviewItem
from console.cases import Cases, Id
from console.reports import instant

router = APIRouter(prefix="/api/v1/backoffice", tags=["back office"])
Table = Literal["per_form_and_status", "time_in_status", "sla", "ratings"]
RATINGS = ("5", "4", "3", "2", "1")  # very satisfied ... very dissatisfied


@router.get("/dead-letters", response_model=list[DeadLetterItem], summary="Failed hand-overs")
async def dead_letters(agent: Supervisor, cases: Cases) -> list[DeadLetterItem]:
    found = await asyncio.to_thread(cases.webhooks.dead_letters)
    return [DeadLetterItem(**d.__dict__) for d in found]


@router.post(
    "/dead-letters/{entry_id}/replay", status_code=202, summary="Send a failed hand-over again"
)
async def replay(entry_id: Id, agent: Supervisor, cases: Cases, acc: Accounts) -> dict[str, str]:
    webhook_id = await asyncio.to_thread(cases.webhooks.replay, entry_id, f"agent:{agent.username}")
    cases.changed()
    await acc.audit(agent.username, "webhook_replay", f"outbox:{entry_id}", {"id": webhook_id})
    return {"webhook_id": webhook_id, "state": "pending"}


@router.get("/reviews", response_model=list[ReviewItem], summary="Low ratings to look at")
async def reviews(agent: Supervisor, cases: Cases, resolved: bool = False) -> list[ReviewItem]:
    found = await asyncio.to_thread(cases.store.reviews, not resolved)
    return [ReviewItem(**r) for r in found]


@router.post("/reviews/{review_id}/resolve", status_code=204, summary="Mark a review as done")
async def resolve(
    review_id: Id, body: ResolveIn, agent: Supervisor, cases: Cases, acc: Accounts
) -> None:
    await asyncio.to_thread(cases.store.resolve_review, review_id, agent.username, body.note)
    await acc.audit(agent.username, "review_resolved", f"review:{review_id}", None)


def _rows(report: dict[str, Any], table: Table) -> tuple[list[str], list[list[Any]]]:
    """One table of the report as columns and rows (what the CSV holds)."""
    if table == "per_form_and_status":
        return ["form", "status", "cases"], [
            [r["form"], r["status"], r["cases"]] for r in report["per_form_and_status"]
        ]
    if table == "time_in_status":
        columns = ["form", "status", "n", "mean_h", "median_h", "p90_h"]
        return columns, [[r[c] for c in columns] for r in report["time_in_status"]]
    if table == "sla":
        columns = [
            "form", "sla_hours", "finished", "met", "attainment", "open", "open_breached",
            "business_median_h", "business_p90_h", "waiting_for_citizen_median_h",
        ]  # fmt: skip
        return columns, [
            [s["form"], s["sla_hours"], s["finished"], s["met"], s["attainment"], s["open"],
             s["open_breached"], s["business_hours"]["median_h"], s["business_hours"]["p90_h"],
             s["waiting_for_citizen_hours"]["median_h"]]
            for s in report["sla"]
        ]  # fmt: skip
    columns = ["form", "n", "mean", *(f"rated_{r}" for r in RATINGS)]
    return columns, [
        [r["form"], r["n"], r["mean"], *(r["by_rating"].get(k, 0) for k in RATINGS)]
        for r in report["ratings"]
    ]


@router.get(
    "/reports",
    summary="Case report: per form and status, time in status, SLA, ratings (JSON or CSV)",
    description="Cases submitted in [from, to) (ISO 8601; default: the last 30 days). "
    "`format=csv` with `table` (per_form_and_status, time_in_status, sla, ratings) gives "
    "that table as CSV. Caseworkers and supervisors.",
)
async def report(
    agent: Caseworker,
    cases: Cases,
    from_: Annotated[str | None, Query(alias="from", max_length=40)] = None,
    to: Annotated[str | None, Query(max_length=40)] = None,
    format: Literal["json", "csv"] = "json",
    table: Table | None = None,
) -> Any:
    now = cases.store.clock.now()
    end = instant(to, "to", now)
    start = instant(from_, "from", end - timedelta(days=30))
    if end <= start or end - start > timedelta(days=366):
        raise HTTPException(422, "from must be before to, at most 366 days apart")
    if format == "csv" and table is None:
        raise HTTPException(
            422, "format=csv needs table: per_form_and_status, time_in_status, sla or ratings"
        )
    data = await asyncio.to_thread(case_report, cases.store, start, end.astimezone(UTC))
    if format == "json":
        return data
    assert table is not None
    columns, rows = _rows(data, table)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    name = f"cases-{table}-{start.date().isoformat()}-{end.date().isoformat()}"
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )
