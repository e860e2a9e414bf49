"""Satisfaction trends, per day in the office's time zone, two scales kept apart:

- **handoff ratings** (1-5): a citizen's rating of a chat with an agent, on the day the chat
  was requested (tickets' `rating`);
- **case ratings**: the five-level 好差评 scale of a finished case (5 非常满意 very satisfied,
  4 满意 satisfied, 3 基本满意 neutral, 2 不满意 dissatisfied, 1 非常不满意 very dissatisfied;
  bot/cases/texts.py), on the day the citizen rated (the case's `rated` event). Per day: how
  many, the mean, the count at each level and the good share (好评率: levels 3-5 over all;
  1 and 2 are the 差评 that open a review, bot/cases/reviews.py).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import select

from bot.cases.models import CaseEvent, CaseRecord
from bot.storage.db import Database
from bot.storage.models import Ticket

CASE_LEVELS = (5, 4, 3, 2, 1)  # best first, as the citizen is asked
GOOD_FROM = 3  # 好评: 基本满意 and better

Rated = Sequence[tuple[datetime, int]]
Ratings = list[tuple[datetime, int]]


def load_handoff_ratings(
    db: Database, start: datetime, end: datetime
) -> list[tuple[datetime, int]]:
    with db.session() as session:
        rows = session.execute(
            select(Ticket.created_at, Ticket.rating)
            .where(Ticket.created_at >= start, Ticket.created_at < end, Ticket.rating.is_not(None))
            .order_by(Ticket.created_at, Ticket.id)
        ).all()
    return [(r.created_at, int(r.rating)) for r in rows]


def load_case_ratings(db: Database, start: datetime, end: datetime) -> Ratings:
    """Each rated case once: when it was rated and its level."""
    with db.session() as session:
        rows = session.execute(
            select(CaseEvent.at, CaseRecord.rating)
            .join(CaseRecord, CaseRecord.id == CaseEvent.case_id)
            .where(
                CaseEvent.kind == "rated",
                CaseEvent.at >= start,
                CaseEvent.at < end,
                CaseRecord.rating.is_not(None),
            )
            .order_by(CaseEvent.at, CaseEvent.id)
        ).all()
    return [(r.at, int(r.rating)) for r in rows]


def _by_day(rated: Rated, zone: tzinfo) -> dict[str, list[int]]:
    out: dict[str, list[int]] = defaultdict(list)
    for at, rating in rated:
        out[at.astimezone(zone).date().isoformat()].append(rating)
    return out


def _mean(values: list[int]) -> float | None:
    return round(statistics.fmean(values), 3) if values else None


def per_day(days: Sequence[str], handoff: Rated, cases: Rated, zone: tzinfo) -> dict[str, Any]:
    """Both scales for every day of `days` (a day with no rating has count 0, mean None)."""
    by_handoff, by_case = _by_day(handoff, zone), _by_day(cases, zone)
    case_rows = []
    for day in days:
        values = by_case.get(day, [])
        case_rows.append(
            {
                "day": day,
                "count": len(values),
                "mean": _mean(values),
                "levels": {str(level): values.count(level) for level in CASE_LEVELS},
                "good_share": (
                    round(sum(v >= GOOD_FROM for v in values) / len(values), 4) if values else None
                ),
            }
        )
    return {
        "handoff_ratings": [
            {"day": d, "count": len(by_handoff.get(d, [])), "mean": _mean(by_handoff.get(d, []))}
            for d in days
        ],
        "case_ratings": case_rows,
    }


COLUMNS = (
    "day", "handoff_ratings", "handoff_mean", "case_ratings", "case_mean",
    "case_very_satisfied", "case_satisfied", "case_neutral", "case_dissatisfied",
    "case_very_dissatisfied", "case_good_share",
)  # fmt: skip


def table_rows(data: dict[str, Any]) -> list[tuple[Any, ...]]:
    """One row per day: the CSV export and the console's table alternative."""
    rows = []
    for h, c in zip(data["handoff_ratings"], data["case_ratings"], strict=True):
        levels = tuple(c["levels"][str(level)] for level in CASE_LEVELS)
        rows.append((h["day"], h["count"], h["mean"], c["count"], c["mean"], *levels,
                     c["good_share"]))  # fmt: skip
    return rows
