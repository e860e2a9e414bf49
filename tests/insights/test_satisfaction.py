"""Satisfaction trends computed exactly from a seeded history: handoff ratings (1-5, on the day
the chat was requested) and case ratings (the five-level 好差评 scale, on the day the citizen
rated), per day and apart; the table / CSV rows; the office's time zone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.cases.models import CaseEvent, CaseRecord
from bot.storage.db import Database
from bot.storage.models import Ticket
from insights import satisfaction as sat
from insights.figures import days_of

D1 = datetime(2026, 12, 1, tzinfo=UTC)
END = D1 + timedelta(days=3)


def at(day: int, hhmm: str) -> datetime:
    h, m = map(int, hhmm.split(":"))
    return D1 + timedelta(days=day, hours=h, minutes=m)


HANDOFFS = [  # (requested, rating)
    (at(0, "09:12"), 4), (at(0, "15:00"), 5), (at(1, "08:01"), 1),
    (at(0, "10:00"), None),  # not rated: not counted
    (at(-1, "23:59"), 2),  # before the window
]  # fmt: skip
CASES = [  # (rated at, level)
    (at(0, "10:00"), 5), (at(0, "11:00"), 3), (at(0, "12:00"), 2),
    (at(1, "09:00"), 1), (at(1, "17:30"), 4),  # 01:30 on day 3 in Shanghai
    (at(-1, "12:00"), 5),  # before the window
]  # fmt: skip


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path}/s.db")
    database.migrate()
    with database.session() as s:
        for created, rating in HANDOFFS:
            s.add(Ticket(citizen_id="x", status="closed", reason="r", lang="en", priority=0,
                         simple_mode=False, created_at=created, rating=rating))  # fmt: skip
        for i, (rated, level) in enumerate(CASES):
            case = CaseRecord(reference=f"RC-2026-{i:06d}", citizen_id="web:x", form="f",
                              status="completed", channel="web", lang="zh", answers={},
                              created_at=rated - timedelta(days=5), updated_at=rated,
                              rating=level, closed_at=rated - timedelta(hours=1))  # fmt: skip
            s.add(case)
            s.flush()
            for kind, when in (("status", rated - timedelta(hours=1)), ("rated", rated)):
                s.add(CaseEvent(case_id=case.id, at=when, actor="citizen", kind=kind,
                                detail={"rating": level} if kind == "rated" else None))  # fmt: skip
        unrated = CaseRecord(reference="RC-2026-999999", citizen_id="web:y", form="f",
                             status="completed", channel="web", lang="en", answers={},
                             created_at=at(0, "08:00"), updated_at=at(0, "09:00"))  # fmt: skip
        s.add(unrated)
        s.flush()
        s.add(CaseEvent(case_id=unrated.id, at=at(0, "09:00"), actor="staff", kind="status"))
    yield database
    database.dispose()


def _levels(**counts: int) -> dict[str, int]:
    return {str(level): counts.get(f"l{level}", 0) for level in (5, 4, 3, 2, 1)}


def test_both_scales_per_day_from_sql(db: Database) -> None:
    handoff = sat.load_handoff_ratings(db, D1, END)
    cases = sat.load_case_ratings(db, D1, END)
    assert handoff == [(at(0, "09:12"), 4), (at(0, "15:00"), 5), (at(1, "08:01"), 1)]
    assert cases == [(t, r) for t, r in CASES[:5]]  # one per rated case, by rating time
    out = sat.per_day(days_of(D1, END, UTC), handoff, cases, UTC)
    assert out["handoff_ratings"] == [
        {"day": "2026-12-01", "count": 2, "mean": 4.5},
        {"day": "2026-12-02", "count": 1, "mean": 1.0},
        {"day": "2026-12-03", "count": 0, "mean": None},
    ]
    assert out["case_ratings"] == [
        {"day": "2026-12-01", "count": 3, "mean": 3.333, "levels": _levels(l5=1, l3=1, l2=1),
         "good_share": 0.6667},
        {"day": "2026-12-02", "count": 2, "mean": 2.5, "levels": _levels(l4=1, l1=1),
         "good_share": 0.5},
        {"day": "2026-12-03", "count": 0, "mean": None, "levels": _levels(),
         "good_share": None},
    ]  # fmt: skip
    assert sat.table_rows(out) == [
        ("2026-12-01", 2, 4.5, 3, 3.333, 1, 0, 1, 1, 0, 0.6667),
        ("2026-12-02", 1, 1.0, 2, 2.5, 0, 1, 0, 0, 1, 0.5),
        ("2026-12-03", 0, None, 0, None, 0, 0, 0, 0, 0, None),
    ]
    assert len(sat.COLUMNS) == len(sat.table_rows(out)[0])


def test_days_in_the_office_time_zone(db: Database) -> None:
    zone = ZoneInfo("Asia/Shanghai")
    cases = sat.load_case_ratings(db, D1, END)
    out = sat.per_day(days_of(D1, END, zone), [], cases, zone)
    by_day = {row["day"]: row["count"] for row in out["case_ratings"]}
    # 10:00-12:00 UTC is the same day in Shanghai; 09:00 on the 2nd too; 17:30 is the 3rd;
    # the window's last eight hours fall on the 4th there
    assert by_day == {"2026-12-01": 3, "2026-12-02": 1, "2026-12-03": 1, "2026-12-04": 0}
