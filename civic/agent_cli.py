"""`civic agent ...` commands: add and list console accounts.

`civic agent add <username> --role agent|supervisor [--team T]` reads the password from
stdin (the first line; prompted twice without echo on a terminal), so it never appears in the
shell history or the process list. The database is DATABASE_URL (default var/civic.db)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import Any

from bot.agents.accounts import ROLES, AccountError, AgentAccounts
from bot.clock import SystemClock
from bot.errors import StoreUnavailable
from bot.storage.db import Database

ROOT = Path(__file__).resolve().parent.parent


def _database() -> Database:
    var_dir = Path(os.environ.get("CIVIC_VAR_DIR") or ROOT / "var")
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{var_dir / 'civic.db'}"
    db = Database(url)
    db.migrate()
    return db


def _accounts(db: Database) -> AgentAccounts:
    # accounts need no Redis: only logins do
    return AgentAccounts(db, None, SystemClock())  # type: ignore[arg-type]


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != first:
            raise AccountError("the two passwords differ")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def _cmd_add(args: argparse.Namespace) -> int:
    try:
        password = _read_password()
        db = _database()
        info = _accounts(db).add(args.username, password, args.role, args.team)
    except (AccountError, StoreUnavailable) as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 1
    print(f"added {info.role} {info.username}" + (f" (team {info.team})" if info.team else ""))
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    for info in _accounts(_database()).all():
        state = "" if info.active else "  (disabled)"
        print(f"{info.username:24} {info.role:10} {info.team or '-'}{state}")
    return 0


def add_agent_commands(subparsers: Any) -> argparse.ArgumentParser:
    """Add the `agent` command group to an argparse subparsers object."""
    agent: argparse.ArgumentParser = subparsers.add_parser(
        "agent", help="agent console accounts: add, list"
    )
    commands = agent.add_subparsers(dest="agent_command", required=True)
    add = commands.add_parser("add", help="add an account (password from stdin)")
    add.add_argument("username")
    add.add_argument("--role", choices=ROLES, required=True)
    add.add_argument("--team", help="the team whose queue the agent works (default: all)")
    add.set_defaults(func=_cmd_add)
    commands.add_parser("list", help="list the accounts").set_defaults(func=_cmd_list)
    return agent
