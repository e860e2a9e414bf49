"""`civic retention run`: delete transcripts and closed tickets past the retention period."""

from __future__ import annotations

import argparse
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.storage.db import Database
from bot.storage.retention import run_retention
from civic.stack import ROOT


def retention_days(environ: dict[str, str] | None = None) -> int:
    env = os.environ if environ is None else environ
    raw = env.get("CIVIC_RETENTION_DAYS") or "365"
    if not raw.isdigit() or int(raw) < 1:
        raise SystemExit(f"CIVIC_RETENTION_DAYS must be a whole number of days >= 1, got {raw!r}")
    return int(raw)


def cmd_retention_run(args: argparse.Namespace) -> int:
    var_dir = Path(os.environ.get("CIVIC_VAR_DIR") or ROOT / "var")
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{var_dir / 'civic.db'}"
    db = Database(url)
    try:
        db.migrate()
        days = args.days or retention_days()
        result = run_retention(db, datetime.now(UTC), days, dry_run=args.dry_run)
    finally:
        db.dispose()
    report: dict[str, Any] = {
        "cutoff": result.cutoff.isoformat(),
        "dry_run": args.dry_run,
        "deleted": {
            "messages": result.messages,
            "tickets": result.tickets,
            "ticket_events": result.ticket_events,
        },
    }
    print(
        json.dumps(report)
        if args.json
        else (
            f"{'would delete' if args.dry_run else 'deleted'} before {result.cutoff:%Y-%m-%d}: "
            f"{result.messages} messages, {result.tickets} closed tickets "
            f"({result.ticket_events} timing events)"
        )
    )
    return 0


def add_retention_commands(sub: Any) -> None:
    retention = sub.add_parser("retention", help="data retention")
    actions = retention.add_subparsers(dest="retention_command", required=True)
    run = actions.add_parser("run", help="delete transcripts and closed tickets past the period")
    run.add_argument("--days", type=int, help="override CIVIC_RETENTION_DAYS (default 365)")
    run.add_argument("--dry-run", action="store_true", help="count only, delete nothing")
    run.add_argument("--json", action="store_true")
    run.set_defaults(func=cmd_retention_run)
