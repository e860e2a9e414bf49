"""Staffing forecast: handoff arrivals per 30-minute slot for the next seven days, and the
agents each slot needs.

- History: live handoff requests (tickets of kind `live`) counted per slot, from the first
  request to the start of the current slot.
- Models: seasonal naive (the same slot a week earlier; a day earlier with under two weeks of
  history) and Holt-Winters (statsmodels' ExponentialSmoothing, additive weekly seasonality of
  336 slots, no trend; it needs two full weeks). Each is backtested on the last two weeks as a
  forecaster is used: fitted on everything before each of the last two weeks and scored on that
  week; the error is WAPE (sum |actual - forecast| / sum actual) over the 14 days. The model
  with the lower WAPE makes the forecast (refitted on the whole history); both errors are shown.
- Handling time: the mean of claim -> close over live tickets closed in the last four weeks.
  Patience (Erlang A): total waiting time over abandoned tickets (the maximum-likelihood mean
  of an exponential patience censored by pick-up); no abandonment measured -> Erlang C only.
- Agents per slot: insights.erlang, the workload divided by the chats an agent handles at once.

With no history the forecast says so and has no slots: nothing is invented.
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

import numpy as np
from sqlalchemy import select

from bot.storage.db import Database
from bot.storage.models import Ticket, TicketEvent
from insights.erlang import agents_needed
from insights.settings import InsightsSettings

log = logging.getLogger(__name__)

SLOT = timedelta(minutes=30)
DAY = 48  # slots
WEEK = 7 * DAY
HORIZON = WEEK
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_HISTORY = 16 * WEEK  # the models see at most the last 16 weeks


def slot_start(at: datetime) -> datetime:
    return at.replace(minute=at.minute - at.minute % 30, second=0, microsecond=0)


def counts_per_slot(times: Sequence[datetime], end: datetime) -> tuple[datetime, np.ndarray]:
    """Arrivals per slot from the first arrival's slot to the slot before `end`'s."""
    last = slot_start(end)
    kept = sorted(t for t in times if t < last)
    if not kept:
        return last, np.zeros(0)
    first = slot_start(kept[0])
    n = int((last - first) / SLOT)
    counts = np.zeros(n)
    for t in kept:
        counts[int((t - first) / SLOT)] += 1
    return first, counts


def seasonal_naive(history: np.ndarray, horizon: int) -> np.ndarray:
    season = WEEK if len(history) >= WEEK else DAY
    last = history[-season:]
    return np.array([last[i % season] for i in range(horizon)], dtype=float)


def holt_winters(history: np.ndarray, horizon: int) -> np.ndarray:
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    model = ExponentialSmoothing(
        history,
        trend=None,
        seasonal="add",
        seasonal_periods=WEEK,
        initialization_method="heuristic",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter; the backtest judges the fit
        fitted = model.fit(optimized=True)
    predicted: np.ndarray = np.clip(np.asarray(fitted.forecast(horizon), dtype=float), 0, None)
    return predicted


MODELS = {"seasonal_naive": seasonal_naive, "holt_winters": holt_winters}


def min_history(name: str) -> int:
    """Slots a model needs to forecast (Holt-Winters' heuristic start takes two weeks)."""
    return 2 * WEEK if name == "holt_winters" else DAY


def wape(actual: np.ndarray, forecast: np.ndarray) -> float | None:
    total = float(np.abs(actual).sum())
    return float(np.abs(actual - forecast).sum()) / total if total > 0 else None


def backtest(history: np.ndarray, name: str) -> float | None:
    """WAPE of one-week-ahead forecasts of each of the last two weeks (None: not enough data)."""
    model = MODELS[name]
    actual, predicted = [], []
    for weeks_back in (2, 1):
        cut = len(history) - weeks_back * WEEK
        if cut < min_history(name):
            return None
        actual.append(history[cut : cut + WEEK])
        predicted.append(model(history[:cut], WEEK))
    return wape(np.concatenate(actual), np.concatenate(predicted))


@dataclass(frozen=True)
class Choice:
    model: str | None
    errors: dict[str, float | None]


def choose(history: np.ndarray) -> Choice:
    """The model with the lower backtest WAPE; seasonal naive when nothing could be scored
    (it needs only a day of history), None with under a day."""
    errors = {name: backtest(history, name) for name in MODELS}
    scored = {name: e for name, e in errors.items() if e is not None}
    if scored:
        return Choice(min(scored, key=lambda name: scored[name]), errors)
    if len(history) >= DAY:
        return Choice("seasonal_naive", errors)
    return Choice(None, errors)


def handling_and_patience(
    db: Database, since: datetime, until: datetime
) -> tuple[float | None, float | None, int]:
    """Mean claim -> close seconds of live tickets closed in the window, the exponential
    patience estimate (total wait / abandoned) and the number of handled tickets."""
    with db.session() as session:
        tickets = session.execute(
            select(Ticket.id, Ticket.created_at).where(
                Ticket.kind == "live", Ticket.created_at >= since, Ticket.created_at < until
            )
        ).all()
        ids = [t.id for t in tickets]
        created = {t.id: t.created_at for t in tickets}
        events: dict[int, list[tuple[str, datetime]]] = {i: [] for i in ids}
        for chunk in range(0, len(ids), 500):
            rows = session.execute(
                select(TicketEvent.ticket_id, TicketEvent.kind, TicketEvent.at)
                .where(TicketEvent.ticket_id.in_(ids[chunk : chunk + 500]))
                .order_by(TicketEvent.at, TicketEvent.id)
            ).all()
            for r in rows:
                events[r.ticket_id].append((r.kind, r.at))
    handled: list[float] = []
    waited, abandoned = 0.0, 0
    for ticket_id, timeline in events.items():
        claim = next((at for kind, at in timeline if kind == "claimed"), None)
        close = next((at for kind, at in timeline if kind == "closed"), None)
        left = next((at for kind, at in timeline if kind in ("abandoned", "cancelled")), None)
        if claim is not None and close is not None:
            handled.append((close - claim).total_seconds())
        if claim is not None:
            waited += (claim - created[ticket_id]).total_seconds()
        elif left is not None:
            waited += (left - created[ticket_id]).total_seconds()
            abandoned += any(kind == "abandoned" for kind, _ in timeline)
    aht = sum(handled) / len(handled) if handled else None
    patience = waited / abandoned if abandoned else None
    return aht, patience, len(handled)


def arrivals(db: Database, until: datetime) -> list[datetime]:
    with db.session() as session:
        return list(
            session.scalars(
                select(Ticket.created_at).where(Ticket.kind == "live", Ticket.created_at < until)
            )
        )


def forecast(
    db: Database, now: datetime, settings: InsightsSettings, zone: tzinfo = UTC
) -> dict[str, Any]:
    """The whole forecast as JSON-ready data (see the module's docstring); `by_hour` folds the
    slots onto weekday x hour in `zone` (the heat map's grid): arrivals summed, agents the
    larger of the hour's two slots."""
    first, history = counts_per_slot(arrivals(db, now), now)
    if len(history) > MAX_HISTORY:
        first, history = first + (len(history) - MAX_HISTORY) * SLOT, history[-MAX_HISTORY:]
    base: dict[str, Any] = {
        "generated_at": now.isoformat(),
        "slot_minutes": 30,
        "service_level": settings.service_level,
        "service_target_s": settings.service_target_s,
        "chats_per_agent": settings.chats_per_agent,
        "history": {
            "from": first.isoformat() if len(history) else None,
            "slots": len(history),
            "arrivals": int(history.sum()),
        },
    }
    choice = choose(history) if history.sum() > 0 else Choice(None, {})
    base["backtest_wape"] = {k: _round(v) for k, v in choice.errors.items()}
    if choice.model is None:
        base["model"] = None
        base["slots"] = []
        base["by_hour"] = []
        base["note"] = (
            "no handoff history: nothing to forecast from"
            if history.sum() == 0
            else "less than a day of handoff history: nothing to forecast from"
        )
        return base
    predicted = MODELS[choice.model](history, HORIZON)
    aht, patience, handled = handling_and_patience(db, now - timedelta(days=28), now)
    base.update(
        model=choice.model,
        aht_s=_round(aht),
        aht_tickets=handled,
        patience_s=_round(patience),
    )
    if aht is None:
        base["note"] = "no closed chats in the last four weeks: no handling time, no staffing"
    start = slot_start(now)
    slots = []
    for i, expected in enumerate(predicted):
        row: dict[str, Any] = {
            "start": (start + i * SLOT).isoformat(),
            "arrivals": round(float(expected), 3),
        }
        if aht is not None:
            staff = agents_needed(
                float(expected),
                SLOT.total_seconds(),
                aht,
                settings.service_target_s,
                settings.service_level,
                settings.chats_per_agent,
                patience,
            )
            row.update(
                load_erlangs=staff.load_erlangs,
                agents_erlang_c=staff.agents_c,
                agents_erlang_a=staff.agents_a,
                service_level_c=staff.service_level_c,
                service_level_a=staff.service_level_a,
                abandon_a=staff.abandon_a,
            )
        slots.append(row)
    base["slots"] = slots
    base["by_hour"] = by_hour(slots, zone)
    return base


def by_hour(slots: list[dict[str, Any]], zone: tzinfo) -> list[dict[str, Any]]:
    cells: dict[tuple[int, int], dict[str, Any]] = {}
    for row in slots:
        local = datetime.fromisoformat(row["start"]).astimezone(zone)
        cell = cells.setdefault(
            (local.weekday(), local.hour),
            {"weekday": WEEKDAYS[local.weekday()], "hour": local.hour, "arrivals": 0.0},
        )
        cell["arrivals"] = round(cell["arrivals"] + row["arrivals"], 3)
        for key in ("agents_erlang_c", "agents_erlang_a"):
            if key in row:
                cell[key] = max(cell.get(key, 0), row[key])
    return [cells[k] for k in sorted(cells)]


def _round(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else round(value, 4)
