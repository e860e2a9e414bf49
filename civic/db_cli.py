"""`civic db ...`: the database schema. `civic db upgrade` runs the migrations (the
Kubernetes migrations Job and docker-compose's `migrate` run exactly this; `civic up` runs it
before the gateway starts); `civic db status` says where the schema stands. Gateways never
migrate: they wait for the schema this command brings.

The database is DATABASE_URL (default var/civic.db under CIVIC_VAR_DIR)."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from bot.storage.db import Database

ROOT = Path(__file__).resolve().parent.parent


def database_url(environ: dict[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    var_dir = Path(env.get("CIVIC_VAR_DIR") or ROOT / "var")
    return env.get("DATABASE_URL") or f"sqlite:///{var_dir / 'civic.db'}"


def open_database() -> Database:
    """The database, its schema current (else a clear error naming `civic db upgrade`)."""
    db = Database(database_url())
    try:
        state = db.schema_state()
    except SQLAlchemyError as exc:
        db.dispose()
        raise SystemExit(f"✗ the database is not reachable: {type(exc).__name__}") from None
    if not state.ready:
        db.dispose()
        raise SystemExit(
            f"✗ the database schema is at {', '.join(sorted(state.current)) or 'nothing'}, "
            f"this release needs {', '.join(sorted(state.expected))}: run `civic db upgrade`"
        )
    return db


def _cmd_upgrade(args: argparse.Namespace) -> int:
    db = Database(database_url())
    try:
        before = db.schema_state().current
        db.migrate()
        after = db.schema_state().current
    finally:
        db.dispose()
    print(
        f"✓ database schema at {', '.join(sorted(after))}"
        + (" (unchanged)" if after == before else f" (was {', '.join(sorted(before)) or 'empty'})")
    )
    return 0


def _cmd_status(args: argparse.Namespace) -> int:
    db = Database(database_url())
    try:
        state = db.schema_state()
    finally:
        db.dispose()
    report: dict[str, Any] = {
        "current": sorted(state.current),
        "expected": sorted(state.expected),
        "ready": state.ready,
    }
    print(json.dumps(report) if args.json else
          f"schema {report['current'] or 'empty'}, this release needs {report['expected']}: "
          + ("ready" if state.ready else "run `civic db upgrade`"))  # fmt: skip
    return 0 if state.ready else 1


def add_db_commands(sub: Any) -> None:
    db = sub.add_parser("db", help="database schema: migrations")
    actions = db.add_subparsers(dest="db_command", required=True)
    upgrade = actions.add_parser("upgrade", help="run the migrations (once per release)")
    upgrade.set_defaults(func=_cmd_upgrade)
    status = actions.add_parser("status", help="the schema against this release (exit 1: behind)")
    status.add_argument("--json", action="store_true")
    status.set_defaults(func=_cmd_status)
