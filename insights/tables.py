"""Each figure as a table: the console's table alternative to a chart and the CSV export
(one row per data point drawn)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import yaml

from bot.settings import PROJECT_ROOT

OUTCOME_COLUMNS = (
    "answered", "clarified", "declined", "handed_off", "person_offered", "forms_started",
    "forms_submitted", "forms_abandoned", "forms_in_progress", "sessions", "contained",
    "containment",
)  # fmt: skip


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]


def cell(value: Any) -> Any:
    """A CSV cell: empty for a missing value; formula-looking text defused (a citizen's
    question opened in a spreadsheet must not run as a formula)."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@cache
def form_steps() -> dict[str, int]:
    """Questions per form, from the forms' rules tables (intents/forms/*.yml)."""
    steps = {}
    for path in sorted((PROJECT_ROOT / "intents" / "forms").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if isinstance(data, dict) and data.get("form") and isinstance(data.get("fields"), list):
            steps[str(data["form"])] = len(data["fields"])
    return steps


def outcomes(data: dict[str, Any]) -> Table:
    return Table(
        ("day", *OUTCOME_COLUMNS),
        [(d["day"], *(d[c] for c in OUTCOME_COLUMNS)) for d in data["days"]],
    )


def funnel(data: dict[str, Any]) -> Table:
    rows: list[tuple[Any, ...]] = []
    for f in data["forms"]:
        rows.append((f["form"], f["mode"], "started", f["started"], None, None, None))
        for s in f["steps"]:
            stage = "summary" if s["summary"] else f"step {s['step']}"
            rows.append((f["form"], f["mode"], stage, s["reached"], s["dropped"],
                         s["in_progress"], s["median_s"]))  # fmt: skip
        rows.append((f["form"], f["mode"], "submitted", f["submitted"], None, None, None))
    return Table(("form", "mode", "stage", "count", "dropped", "in_progress", "median_s"), rows)


def heat_map(data: dict[str, Any]) -> Table:
    return Table(
        ("weekday", "hour", "requests"),
        [(c["weekday"], c["hour"], c["count"]) for c in data["cells"]],
    )


def pickup_trend(report: dict[str, Any]) -> dict[str, Any]:
    """Per day: tickets, picked up, median and p90 pick-up (s), SLA attainment per priority."""
    days = []
    for day, figures in report["by_day"].items():
        calendar = figures["calendar"]
        sla = calendar["sla_pickup"]
        days.append(
            {
                "day": day,
                "tickets": calendar["tickets"],
                "picked_up": calendar["picked_up"],
                "pickup_median_s": calendar["pickup_s"]["median"],
                "pickup_p90_s": calendar["pickup_s"]["p90"],
                "sla_normal": (sla.get("0") or {}).get("attainment"),
                "sla_simple": (sla.get("1") or {}).get("attainment"),
            }
        )
    return {"from": report["from"], "to": report["to"],
            "sla_targets_s": report["sla_targets_s"], "days": days}  # fmt: skip


def pickup(data: dict[str, Any]) -> Table:
    columns = ("day", "tickets", "picked_up", "pickup_median_s", "pickup_p90_s", "sla_normal",
               "sla_simple")  # fmt: skip
    return Table(columns, [tuple(d[c] for c in columns) for d in data["days"]])


def forecast(data: dict[str, Any]) -> Table:
    columns = ("start", "arrivals", "agents_erlang_c", "agents_erlang_a", "service_level_c",
               "service_level_a", "abandon_a")  # fmt: skip
    return Table(columns, [tuple(s.get(c) for c in columns) for s in data["slots"]])


def guides(data: dict[str, Any]) -> Table:
    columns = ("id", "lang", "title", "reviewed", "age_days", "stale")
    return Table(columns, [tuple(g[c] for c in columns) for g in data["guides"]])


def questions(data: dict[str, Any]) -> Table:
    columns = ("id", "lang", "size", "recent", "previous", "trend", "guide", "status",
               "covered_by")  # fmt: skip
    return Table(
        (*columns, "examples"),
        [(*(c[k] for k in columns), " | ".join(c["examples"])) for c in data["clusters"]],
    )
