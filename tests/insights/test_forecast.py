"""The staffing forecast: slot counting, the backtest's choice on a synthetic history with known
daily and weekly cycles, handling time and patience from seeded tickets to the second, and no
invented figures without history."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from bot.storage.db import Database
from bot.storage.models import Ticket, TicketEvent
from insights import forecast as fc
from insights.settings import InsightsSettings

NOW = datetime(2026, 12, 7, 0, 10, tzinfo=UTC)  # a Monday, 10 minutes into the first slot


@pytest.fixture
def db(tmp_path: object) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path}/f.db")
    database.migrate()
    yield database
    database.dispose()


def synthetic(weeks: int, seed: int = 7) -> np.ndarray:
    """Poisson arrivals whose rate has a daily cycle (office-hours hump) and a weekly one
    (weekends at 40%)."""
    t = np.arange(weeks * fc.WEEK)
    daily = np.clip(np.sin((t % fc.DAY - 14) / fc.DAY * 2 * np.pi), 0, None) * 6 + 0.3
    weekly = np.where((t // fc.DAY) % 7 >= 5, 0.4, 1.0)
    return np.random.default_rng(seed).poisson(daily * weekly).astype(float)


def test_counts_per_slot_stop_before_the_current_slot() -> None:
    times = [NOW - timedelta(minutes=m) for m in (5, 25, 35, 36, 95)]
    first, counts = fc.counts_per_slot(times, NOW)
    # 00:05 is in the current slot (not counted); 23:45, 23:35, 23:34 -> slot 23:30; 22:35
    assert first == datetime(2026, 12, 6, 22, 30, tzinfo=UTC)
    assert counts.tolist() == [1, 0, 3]


@pytest.mark.parametrize("seed", [1, 7, 42])
def test_holt_winters_beats_seasonal_naive_on_known_cycles(seed: int) -> None:
    choice = fc.choose(synthetic(8, seed))
    naive, hw = choice.errors["seasonal_naive"], choice.errors["holt_winters"]
    assert naive is not None and hw is not None
    assert choice.model == "holt_winters"
    assert hw < naive


def test_wape_and_seasonal_naive_by_hand() -> None:
    assert fc.wape(np.array([2.0, 0, 2]), np.array([1.0, 1, 2])) == 0.5
    assert fc.wape(np.zeros(3), np.ones(3)) is None
    history = np.arange(fc.WEEK, dtype=float)
    assert fc.seasonal_naive(history, fc.WEEK + 2).tolist() == [*history, 0, 1]
    day = np.arange(fc.DAY, dtype=float)  # under a week: the same slot a day earlier
    assert fc.seasonal_naive(day, 3).tolist() == [0, 1, 2]


def test_a_short_history_gets_seasonal_naive_without_a_score() -> None:
    choice = fc.choose(synthetic(1)[: 3 * fc.DAY])
    assert choice == fc.Choice("seasonal_naive", {"seasonal_naive": None, "holt_winters": None})
    assert fc.choose(np.ones(10)).model is None


def add_ticket(db: Database, at: datetime, claim_s: float | None, close_s: float | None,
               left: tuple[str, float] | None = None, kind: str = "live") -> None:  # fmt: skip
    with db.session() as s:
        ticket = Ticket(citizen_id="c", status="closed", reason="requested", lang="en",
                        simple_mode=False, priority=0, created_at=at, kind=kind)  # fmt: skip
        s.add(ticket)
        s.flush()
        s.add(TicketEvent(ticket_id=ticket.id, kind="requested", at=at))
        if claim_s is not None:
            s.add(
                TicketEvent(ticket_id=ticket.id, kind="claimed", at=at + timedelta(seconds=claim_s))
            )
        if close_s is not None:
            s.add(
                TicketEvent(ticket_id=ticket.id, kind="closed", at=at + timedelta(seconds=close_s))
            )
        if left is not None:
            s.add(
                TicketEvent(ticket_id=ticket.id, kind=left[0], at=at + timedelta(seconds=left[1]))
            )


def test_no_history_says_so_and_invents_nothing(db: Database) -> None:
    out = fc.forecast(db, NOW, InsightsSettings())
    assert out["model"] is None and out["slots"] == [] and out["by_hour"] == []
    assert out["note"] == "no handoff history: nothing to forecast from"
    assert out["history"] == {"from": None, "slots": 0, "arrivals": 0}


def test_handling_time_and_patience_from_the_events(db: Database) -> None:
    day = NOW - timedelta(days=1)
    add_ticket(db, day, 60, 360)  # handled 300 s, waited 60
    add_ticket(db, day + timedelta(hours=1), 30, 530)  # handled 500 s, waited 30
    add_ticket(db, day + timedelta(hours=2), None, None, ("abandoned", 210))  # waited 210
    add_ticket(db, day + timedelta(hours=3), None, None, ("cancelled", 100))  # waited 100
    add_ticket(db, day + timedelta(hours=4), 5, 9999, kind="message")  # not a live chat
    aht, patience, handled = fc.handling_and_patience(db, NOW - timedelta(days=28), NOW)
    assert (aht, handled) == (400.0, 2)
    assert patience == (60 + 30 + 210 + 100) / 1


def test_a_month_of_history_gives_a_week_of_staffed_slots(db: Database) -> None:
    counts = synthetic(4, seed=3)
    start = fc.slot_start(NOW) - len(counts) * fc.SLOT
    for i, n in enumerate(counts):
        for j in range(int(n)):
            at = start + i * fc.SLOT + timedelta(seconds=60 * j)
            add_ticket(db, at, 30, 30 + 240)
    settings = InsightsSettings(service_level=0.8, service_target_s=120, chats_per_agent=2)
    out = fc.forecast(db, NOW, settings)
    lead = int(np.argmax(counts > 0))  # the history starts at the first request's slot
    assert out["history"] == {
        "from": (start + lead * fc.SLOT).isoformat(),
        "slots": len(counts) - lead,
        "arrivals": int(counts.sum()),
    }
    assert out["aht_s"] == 240.0 and out["patience_s"] is None
    assert out["model"] in ("holt_winters", "seasonal_naive")
    scores = out["backtest_wape"]
    assert out["model"] == min((k for k in scores if scores[k] is not None), key=scores.get)
    assert len(out["slots"]) == fc.WEEK
    assert out["slots"][0]["start"] == fc.slot_start(NOW).isoformat()
    assert len(out["by_hour"]) == 7 * 24  # two slots per hour of the week
    first = out["by_hour"][0]
    assert (first["weekday"], first["hour"]) == ("mon", 0)
    monday = [s for s in out["slots"] if s["start"].startswith("2026-12-07T00:")]
    assert first["arrivals"] == round(sum(s["arrivals"] for s in monday), 3)
    assert first["agents_erlang_c"] == max(s["agents_erlang_c"] for s in monday)
    for row in out["slots"]:
        assert row["arrivals"] >= 0
        if row["arrivals"] > 0:
            assert row["agents_erlang_c"] >= 1
            assert row["service_level_c"] >= 0.8
            assert row["agents_erlang_a"] == row["agents_erlang_c"]  # no abandonment measured
