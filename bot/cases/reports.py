"""Case reports, computed from the cases and their event log only:

- cases per form and status;
- time spent in each status (calendar hours: mean, median, p90 over the cases that were in it);
- SLA per form: business hours from submission to the first final status, without the time
  spent waiting for the citizen, against the form's `sla_hours` (finished cases: met or not;
  open cases: already over);
- ratings per form (5 very satisfied ... 1 very dissatisfied), their mean and the reviews.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import select

from bot.cases.case import case_from_row
from bot.cases.models import CaseRecord
from bot.cases.store import CaseStore


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def _summary(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"n": 0, "mean_h": None, "median_h": None, "p90_h": None}
    hours = [v / 3600 for v in values]
    return {
        "n": len(hours),
        "mean_h": round(statistics.fmean(hours), 2),
        "median_h": round(statistics.median(hours), 2),
        "p90_h": round(_p90(hours), 2),
    }


def case_report(store: CaseStore, start: datetime, end: datetime) -> dict[str, Any]:
    """The report over the cases submitted in [start, end)."""
    with store.db.session() as session:
        rows = session.scalars(
            select(CaseRecord)
            .where(CaseRecord.created_at >= start, CaseRecord.created_at < end)
            .order_by(CaseRecord.id)
        ).all()
        cases = [case_from_row(r) for r in rows]
    histories = store.histories([c.id for c in cases])
    per_status: dict[tuple[str, str], int] = defaultdict(int)
    in_status: dict[tuple[str, str], list[float]] = defaultdict(list)
    sla: dict[str, dict[str, Any]] = {}
    ratings: dict[str, list[int]] = defaultdict(list)
    for case in cases:
        per_status[(case.form, case.status)] += 1
        timing = store.timing(case, histories[case.id])
        for status, seconds in timing.by_status.items():
            in_status[(case.form, status)].append(seconds)
        entry = sla.setdefault(
            case.form,
            {"form": case.form, "sla_hours": timing.sla_s / 3600, "finished": 0, "met": 0,
             "open": 0, "open_breached": 0, "business_s": [], "waiting_s": []},
        )  # fmt: skip
        if case.closed_at is not None:
            entry["finished"] += 1
            entry["met"] += 0 if timing.breached else 1
            entry["business_s"].append(timing.business_s)
        else:
            entry["open"] += 1
            entry["open_breached"] += 1 if timing.breached else 0
        entry["waiting_s"].append(timing.waiting_for_citizen_s)
        if case.rating is not None:
            ratings[case.form].append(case.rating)
    sla_out = []
    for entry in sla.values():
        business = entry.pop("business_s")
        waiting = entry.pop("waiting_s")
        entry["attainment"] = (
            round(entry["met"] / entry["finished"], 3) if entry["finished"] else None
        )
        entry["business_hours"] = _summary(business)
        entry["waiting_for_citizen_hours"] = _summary(waiting)
        sla_out.append(entry)
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "cases": len(cases),
        "per_form_and_status": [
            {"form": f, "status": s, "cases": n} for (f, s), n in sorted(per_status.items())
        ],
        "time_in_status": [
            {"form": f, "status": s, **_summary(v)} for (f, s), v in sorted(in_status.items())
        ],
        "sla": sla_out,
        "ratings": [
            {
                "form": form,
                "n": len(values),
                "mean": round(statistics.fmean(values), 2),
                "by_rating": {str(r): values.count(r) for r in (5, 4, 3, 2, 1)},
            }
            for form, values in sorted(ratings.items())
        ],
        "open_reviews": len(store.reviews(open_only=True)),
    }
