"""`civic forecast` (staffing for the next seven days) and `civic insights cluster` (groups the
unanswered questions; run it on a schedule where the knowledge base's models are loaded)."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from typing import Any

from bot.storage.db import Database
from civic.db_cli import database_url
from insights.settings import InsightsSettings


def _database() -> Database:
    db = Database(database_url())
    db.migrate()
    return db


def cmd_forecast(args: argparse.Namespace) -> int:
    from insights.forecast import forecast

    db = _database()
    try:
        out = forecast(db, datetime.now(UTC), InsightsSettings.from_env())
    finally:
        db.dispose()
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
        return 0
    print(_forecast_text(out))
    return 0


def _forecast_text(out: dict[str, Any]) -> str:
    if out["model"] is None:
        return str(out["note"])
    errors = ", ".join(
        f"{name} {'-' if wape is None else f'{wape:.1%}'}"
        for name, wape in out["backtest_wape"].items()
    )
    lines = [
        f"model: {out['model']} (backtest WAPE, last two weeks: {errors})",
        f"history: {out['history']['arrivals']} requests since {out['history']['from']}",
        f"handling time: {out['aht_s']} s over {out['aht_tickets']} chats; "
        f"patience: {out['patience_s'] or 'no abandonment measured'}",
    ]
    if out.get("note"):
        lines.append(str(out["note"]))
    lines.append("slot start                 arrivals  agents (Erlang C / A)")
    for row in out["slots"]:
        if row["arrivals"] >= 0.05 or row.get("agents_erlang_c"):
            agents = (
                f"{row['agents_erlang_c']:>3} / {row['agents_erlang_a']:<3}"
                if "agents_erlang_c" in row
                else "-"
            )
            lines.append(f"{row['start']}  {row['arrivals']:8.2f}  {agents}")
    return "\n".join(lines)


def cmd_cluster(args: argparse.Namespace) -> int:
    from insights.clusters import run_clustering

    db = _database()
    try:
        idle_s = InsightsSettings.from_env().session_idle_s
        result = run_clustering(db, datetime.now(UTC), days=args.days, idle_s=idle_s)
    finally:
        db.dispose()
    print(json.dumps(result) if args.json else f"{result['clusters']} clusters of "
          f"{result['questions']} unanswered questions ({result['days']} days)")  # fmt: skip
    return 0


def add_insights_commands(sub: Any) -> None:
    fc = sub.add_parser("forecast", help="handoff arrivals and agents per slot, next 7 days")
    fc.add_argument("--json", action="store_true")
    fc.set_defaults(func=cmd_forecast)
    insights = sub.add_parser("insights", help="insights jobs")
    jobs = insights.add_subparsers(dest="insights_command", required=True)
    cluster = jobs.add_parser("cluster", help="group unanswered questions by meaning (to SQL)")
    cluster.add_argument("--days", type=int, default=28, help="questions of the last N days")
    cluster.add_argument("--json", action="store_true")
    cluster.set_defaults(func=cmd_cluster)
