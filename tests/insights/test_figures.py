"""Every figure computed exactly from a seeded event history: outcomes per day, by channel and
language, containment over sessions, the form funnel (reached, drop-off, median time per step,
validation failures, normal versus simplified), ratings, the heat map, stale guides."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.settings import PROJECT_ROOT
from bot.storage.db import Database
from bot.storage.models import OutcomeEvent, Ticket
from insights import figures as fg
from insights.figures import Event

D1 = datetime(2026, 12, 1, tzinfo=UTC)
D2 = D1 + timedelta(days=1)
IDLE = 1800


def at(day: datetime, hhmm: str) -> datetime:
    h, m = map(int, hhmm.split(":"))
    return day + timedelta(hours=h, minutes=m)


def ev(day: datetime, hhmm: str, who: str, kind: str, **kw: object) -> Event:
    channel, lang, simple = {
        "A": ("web", "en", False), "B": ("telegram", "zh", True), "C": ("web", "en", False),
        "D": ("rest", "en", False), "E": ("web", "en", False),
    }[who]  # fmt: skip
    return Event(at(day, hhmm), who, kind, channel, lang, simple, **kw)  # type: ignore[arg-type]


F = {"form": "f"}
HISTORY = [
    ev(D1, "09:00", "A", "answered"),
    ev(D1, "09:10", "A", "declined"),
    ev(D1, "09:12", "A", "handed_off"),
    ev(D1, "11:00", "A", "answered"),  # 108 minutes later: a new session
    ev(D1, "10:00", "B", "form_started", **F),
    ev(D1, "10:00", "B", "form_step", step=1, field="a", **F),
    ev(D1, "10:01", "B", "form_invalid", step=1, field="a", **F),
    ev(D1, "10:03", "B", "form_step", step=2, field="b", **F),
    ev(D1, "10:06", "B", "form_summary", step=3, field="summary", **F),
    ev(D1, "10:07", "B", "form_submitted", **F),
    ev(D1, "10:00", "C", "form_started", **F),
    ev(D1, "10:00", "C", "form_step", step=1, field="a", **F),
    ev(D1, "10:02", "C", "form_step", step=2, field="b", **F),  # then silence: left
    ev(D2, "08:00", "D", "clarified"),
    ev(D2, "08:01", "D", "person_offered"),
    ev(D2, "09:00", "E", "form_started", **F),
    ev(D2, "09:00", "E", "form_step", step=2, field="b", **F),  # step 1 came prefilled
    ev(D2, "09:05", "E", "form_cancelled", step=2, field="b", **F),
]
ZERO = {"answered": 0, "clarified": 0, "declined": 0, "handed_off": 0, "person_offered": 0,
        "forms_started": 0, "forms_submitted": 0, "forms_abandoned": 0,
        "forms_in_progress": 0}  # fmt: skip


def test_sessions_split_after_the_idle_time() -> None:
    split = fg.sessions(HISTORY, IDLE)
    assert [(s[0].subject, len(s)) for s in split] == [
        ("A", 3), ("B", 6), ("C", 3), ("A", 1), ("D", 2), ("E", 3)
    ]  # fmt: skip


def test_outcomes_per_day_channel_and_language() -> None:
    out = fg.outcomes_per_day(HISTORY, D1, D1 + timedelta(days=3), UTC, IDLE)
    assert out["days"] == [
        {"day": "2026-12-01", **ZERO, "answered": 2, "declined": 1, "handed_off": 1,
         "forms_started": 2, "forms_submitted": 1, "forms_abandoned": 1,
         "sessions": 4, "contained": 3, "containment": 0.75},
        {"day": "2026-12-02", **ZERO, "clarified": 1, "person_offered": 1,
         "forms_started": 1, "forms_abandoned": 1,
         "sessions": 2, "contained": 1, "containment": 0.5},
        {"day": "2026-12-03", **ZERO, "sessions": 0, "contained": 0, "containment": None},
    ]  # fmt: skip
    assert out["by_channel"] == {
        "rest": {**ZERO, "clarified": 1, "person_offered": 1,
                 "sessions": 1, "contained": 0, "containment": 0.0},
        "telegram": {**ZERO, "forms_started": 1, "forms_submitted": 1,
                     "sessions": 1, "contained": 1, "containment": 1.0},
        "web": {**ZERO, "answered": 2, "declined": 1, "handed_off": 1, "forms_started": 2,
                "forms_abandoned": 2, "sessions": 4, "contained": 3, "containment": 0.75},
    }  # fmt: skip
    assert out["by_lang"]["en"] == {
        **ZERO, "answered": 2, "declined": 1, "clarified": 1, "handed_off": 1,
        "person_offered": 1, "forms_started": 2, "forms_abandoned": 2,
        "sessions": 5, "contained": 3, "containment": 0.6,
    }  # fmt: skip
    assert out["by_lang"]["zh"]["forms_submitted"] == 1


def test_days_follow_the_office_time_zone() -> None:
    late = [ev(D1, "17:00", "A", "answered")]  # 01:00 on the 2nd in Shanghai
    out = fg.outcomes_per_day(late, D1, D2, ZoneInfo("Asia/Shanghai"), IDLE)
    assert [(d["day"], d["answered"]) for d in out["days"]] == [
        ("2026-12-01", 0), ("2026-12-02", 1)
    ]  # fmt: skip


def row(step: int, summary: bool, reached: int, dropped: int, median: float | None) -> object:
    return {"step": step, "summary": summary, "reached": reached, "dropped": dropped,
            "in_progress": 0, "median_s": median}  # fmt: skip


def test_form_funnel_per_mode() -> None:
    normal, simple = fg.funnel(HISTORY, IDLE, {"f": 2})
    assert normal == {
        "form": "f", "mode": "normal", "started": 2, "submitted": 0, "in_progress": 0,
        "steps": [
            row(1, False, 2, 0, 120.0),
            row(2, False, 2, 2, 300.0),
            row(3, True, 0, 0, None),
        ],
        "abandoned": {"cancelled": 1, "left": 1},
        "validation_failures": {},
    }  # fmt: skip
    assert simple == {
        "form": "f", "mode": "simple", "started": 1, "submitted": 1, "in_progress": 0,
        "steps": [
            row(1, False, 1, 0, 180.0),
            row(2, False, 1, 0, 180.0),
            row(3, True, 1, 0, 60.0),
        ],
        "abandoned": {},
        "validation_failures": {"a": 1},
    }  # fmt: skip


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path}/g.db")
    database.migrate()
    yield database
    database.dispose()


def test_events_load_from_sql(db: Database) -> None:
    with db.session() as s:
        for e in HISTORY:
            s.add(OutcomeEvent(at=e.at, subject=e.subject, kind=e.kind, channel=e.channel,
                               lang=e.lang, simple_mode=e.simple_mode, form=e.form,
                               field=e.field, step=e.step))  # fmt: skip
    loaded = fg.load_events(db, D1, D2)
    assert len(loaded) == 13 and loaded == sorted(loaded, key=lambda e: e.at)


def test_heat_map_cells_hold_their_tickets(db: Database) -> None:
    end = datetime(2026, 12, 7, tzinfo=UTC)  # a Monday
    times = [end - timedelta(days=1, hours=14), end - timedelta(days=8, hours=14),  # Sat 10:00
             end - timedelta(days=6, hours=15, minutes=1),  # Mon 08:59
             end - timedelta(days=29)]  # fmt: skip  # outside the four weeks
    ids = []
    with db.session() as s:
        for t in times:
            ticket = Ticket(citizen_id="x", status="closed", reason="r", lang="en",
                            simple_mode=False, priority=0, created_at=t)  # fmt: skip
            s.add(ticket)
            s.flush()
            ids.append(ticket.id)
    out = fg.heat_map(db, end, UTC)
    assert out["total"] == 3 and len(out["cells"]) == 7 * 24
    busy = {(c["weekday"], c["hour"]): c["tickets"] for c in out["cells"] if c["count"]}
    assert busy == {("sat", 10): [ids[0], ids[1]], ("mon", 8): [ids[2]]}


def test_stale_guides_by_review_date(tmp_path: Path) -> None:
    source = PROJECT_ROOT / "knowledge_base" / "guides"
    for lang, reviewed in (("en", "2025-01-10"), ("zh", "2026-11-01")):
        (tmp_path / lang).mkdir()
        text = (source / lang / "dog-registration.md").read_text(encoding="utf-8")
        text = re.sub(r"(?m)^reviewed: .*$", f"reviewed: {reviewed}", text)
        (tmp_path / lang / "dog-registration.md").write_text(text, encoding="utf-8")
    rows = fg.stale_guides(tmp_path, date(2026, 12, 7), 365)
    assert [(r["lang"], r["reviewed"], r["age_days"], r["stale"]) for r in rows] == [
        ("en", "2025-01-10", 696, True),
        ("zh", "2026-11-01", 36, False),
    ]
    shutil.rmtree(tmp_path / "zh")


def test_a_form_left_idle_is_dropped_at_its_step_one_still_open_is_in_progress() -> None:
    def e(hhmm: str, who: str, kind: str, step: int | None = None) -> Event:
        return Event(at(D1, hhmm), who, kind, "web", "en", False, form="f", step=step)

    history = [
        e("10:00", "G", "form_started"), e("10:00", "G", "form_step", 1),
        e("10:03", "G", "form_step", 2),  # then silent: left at step 2
        e("10:20", "H", "form_started"), e("10:20", "H", "form_step", 1),  # still answering
        e("10:00", "I", "form_started"), e("10:00", "I", "form_step", 1),
        e("10:01", "I", "form_cancelled", 1),
    ]  # fmt: skip
    history.sort(key=lambda x: x.at)

    def summary(end: datetime | None) -> tuple[Any, ...]:
        (form,) = fg.funnel(history, IDLE, {"f": 2}, end)
        steps = [(s["reached"], s["dropped"], s["in_progress"]) for s in form["steps"]]
        return form["in_progress"], form["abandoned"], steps

    # at 10:50 H has been silent exactly the idle time: the session may still go on
    assert summary(at(D1, "10:50")) == (
        1,
        {"cancelled": 1, "left": 1},
        [(3, 1, 1), (1, 1, 0), (0, 0, 0)],
    )
    gone = (0, {"cancelled": 1, "left": 2}, [(3, 2, 0), (1, 1, 0), (0, 0, 0)])
    assert summary(at(D1, "10:51")) == gone  # 31 minutes: H dropped at step 1
    assert summary(None) == gone
    day = fg.outcomes_per_day(history, D1, at(D1, "10:50"), UTC, IDLE)["days"][0]
    assert (day["forms_started"], day["forms_abandoned"], day["forms_in_progress"]) == (3, 2, 1)
    day = fg.outcomes_per_day(history, D1, D2, UTC, IDLE)["days"][0]
    assert (day["forms_started"], day["forms_abandoned"], day["forms_in_progress"]) == (3, 3, 0)
