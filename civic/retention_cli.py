"""`civic retention run`: retention that forgets (civic/retention.py says what goes when).

The Kubernetes CronJob runs it nightly; docker-compose's `retention` service with
`--every 24h`; `civic up` daily. `--as-of` runs it as on another date (with `--dry-run`: what
will go by then)."""

from __future__ import annotations

import argparse
import json
import os
import re
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import redis

from civic.db_cli import ROOT, open_database
from civic.retention import RetentionPeriods, RetentionReport, run


def _when(raw: str | None) -> datetime:
    if not raw:
        return datetime.now(UTC)
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise SystemExit(f"--as-of must be an ISO 8601 date or time, got {raw!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _interval(raw: str) -> float:
    match = re.fullmatch(r"(\d+)([smhd])", raw.strip())
    if not match or int(match.group(1)) < 1:
        raise SystemExit(f"--every must look like 24h, 30m or 1d, got {raw!r}")
    return int(match.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]


def retention_once(args: argparse.Namespace) -> RetentionReport:
    periods = RetentionPeriods.from_env()
    for name in ("days", "case_days", "audit_days"):
        value = getattr(args, name)
        if value is not None:
            if value < 1:
                raise SystemExit(f"--{name.replace('_', '-')} must be >= 1")
            periods = replace(periods, **{name: value})
    var_dir = Path(os.environ.get("CIVIC_VAR_DIR") or ROOT / "var")
    redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:{}/0".format(
        os.environ.get("CIVIC_EMBEDDED_REDIS_PORT") or "6390"
    )
    db = open_database()
    client = redis.Redis.from_url(redis_url, socket_timeout=30)
    try:
        return run(db, client, var_dir / "uploads", _when(args.as_of), periods, args.dry_run)
    finally:
        client.close()
        db.dispose()


def _print(report: RetentionReport, as_json: bool) -> None:
    if as_json:
        print(json.dumps(report.as_dict()), flush=True)
        return
    verb = "would delete" if report.dry_run else "deleted"
    counts = ", ".join(f"{n} {what.replace('_', ' ')}" for what, n in report.deleted.items())
    print(f"{verb} what was idle before {report.cutoff:%Y-%m-%d}: {counts}", flush=True)


def cmd_retention_run(args: argparse.Namespace) -> int:
    if not args.every:
        _print(retention_once(args), args.json)
        return 0
    interval = _interval(args.every)
    while True:  # a single host's scheduler (docker-compose); a cluster has the CronJob
        _print(retention_once(args), args.json)
        time.sleep(interval)


def add_retention_commands(sub: Any) -> None:
    retention = sub.add_parser("retention", help="data retention")
    actions = retention.add_subparsers(dest="retention_command", required=True)
    run_ = actions.add_parser("run", help="forget what is past its retention period")
    run_.add_argument("--days", type=int, help="conversations: override CIVIC_RETENTION_DAYS")
    run_.add_argument("--case-days", type=int, help="closed cases: CIVIC_CASE_RETENTION_DAYS")
    run_.add_argument("--audit-days", type=int, help="audit log: CIVIC_AUDIT_RETENTION_DAYS")
    run_.add_argument("--as-of", help="run as on this ISO date or time (default: now)")
    run_.add_argument("--dry-run", action="store_true", help="count only, delete nothing")
    run_.add_argument("--every", help="repeat at this interval (24h, 1d): a single host's schedule")
    run_.add_argument("--json", action="store_true")
    run_.set_defaults(func=cmd_retention_run)
