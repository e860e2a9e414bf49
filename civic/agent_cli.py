"""`civic agent ...` commands: add, list and change console accounts.

`civic agent set <username> [--role R] [--team T|--no-team] [--capacity N] [--languages en,zh]
[--disable|--enable]` changes an account (audited as the command line); when REDIS_URL is set
the account's console sessions end, so the change applies at the next login. Supervisors do
the same in the console, which also hands out set-password links.

`civic agent add <username> --role agent|supervisor|caseworker|editor [--team T]` reads the
password from stdin (the first line; prompted twice without echo on a terminal), so it never
appears in the shell history or the process list. `--display-name "Ana Li"` (or later
`civic agent name <username> "Ana Li"`) sets the name citizens and colleagues see.
What each role may do: bot/agents/roles.py. The database is DATABASE_URL (default var/civic.db)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from typing import Any

from redis.exceptions import RedisError

from bot.agents.account_rules import AccountError
from bot.agents.accounts import AgentAccounts
from bot.agents.roles import ROLES
from bot.clock import SystemClock
from bot.errors import StoreUnavailable
from bot.storage.db import Database
from civic.db_cli import open_database


def _database() -> Database:
    return open_database()


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
        info = _accounts(db).add(
            args.username, password, args.role, args.team, display_name=args.display_name
        )
    except (AccountError, StoreUnavailable) as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 1
    print(f"added {info.role} {info.username}" + (f" (team {info.team})" if info.team else ""))
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    for info in _accounts(_database()).all():
        state = "" if info.active else "  (disabled)"
        shown = f"  shown as {info.display_name}" if info.display_name else ""
        print(f"{info.username:24} {info.role:10} {info.team or '-'}{shown}{state}")
    return 0


def _cmd_name(args: argparse.Namespace) -> int:
    try:
        _accounts(_database()).rename(args.username, args.display_name)
    except (AccountError, StoreUnavailable) as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 1
    print(f"{args.username} is shown as {args.display_name.strip() or args.username}")
    return 0


def _cmd_set(args: argparse.Namespace) -> int:
    changes: dict[str, Any] = {}
    if args.role:
        changes["role"] = args.role
    if args.team is not None or args.no_team:
        changes["team"] = None if args.no_team else args.team
    if args.capacity is not None:
        changes["capacity"] = args.capacity
    if args.languages is not None:
        changes["languages"] = tuple(x.strip() for x in args.languages.split(",") if x.strip())
    if args.active is not None:
        changes["active"] = args.active
    if not changes:
        print("✗ nothing to change (see --help)", file=sys.stderr)
        return 1
    try:
        info = _accounts(_database()).update(args.username, "cli", **changes)
    except (AccountError, StoreUnavailable) as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 1
    ended = _end_sessions(args.username)
    state = "" if info.active else " (disabled)"
    print(f"{info.username}: {info.role}, team {info.team or '-'}{state}" + ended)
    return 0


def _end_sessions(username: str) -> str:
    """Log the account out of the console when the gateway's Redis is known."""
    url = os.environ.get("REDIS_URL")
    if not url:
        return "; no REDIS_URL: sessions already open keep the old settings until they expire"
    from redis.asyncio import Redis

    async def end() -> int:
        redis = Redis.from_url(url)
        try:
            return await AgentAccounts(None, redis, SystemClock()).end_sessions(username)  # type: ignore[arg-type]
        finally:
            await redis.aclose()

    try:
        return f"; {asyncio.run(end())} console session(s) ended"
    except (OSError, RedisError) as exc:
        return f"; sessions not ended (Redis: {type(exc).__name__})"


def add_agent_commands(subparsers: Any) -> argparse.ArgumentParser:
    """Add the `agent` command group to an argparse subparsers object."""
    agent: argparse.ArgumentParser = subparsers.add_parser(
        "agent", help="agent console accounts: add, list, set, name"
    )
    commands = agent.add_subparsers(dest="agent_command", required=True)
    add = commands.add_parser("add", help="add an account (password from stdin)")
    add.add_argument("username")
    add.add_argument("--role", choices=ROLES, required=True)
    add.add_argument("--team", help="the team whose queue the agent works (default: all)")
    add.add_argument("--display-name", help="the name people see (default: the username)")
    add.set_defaults(func=_cmd_add)
    name = commands.add_parser("name", help="set the name people see ('' clears it)")
    name.add_argument("username")
    name.add_argument("display_name")
    name.set_defaults(func=_cmd_name)
    commands.add_parser("list", help="list the accounts").set_defaults(func=_cmd_list)
    change = commands.add_parser("set", help="change an account's role, team, skills or state")
    change.add_argument("username")
    change.add_argument("--role", choices=ROLES)
    change.add_argument("--team")
    change.add_argument("--no-team", action="store_true", help="every team")
    change.add_argument("--capacity", type=int, help="concurrent chats (0-50)")
    change.add_argument("--languages", help="comma-separated, e.g. en,zh (empty: any)")
    state = change.add_mutually_exclusive_group()
    state.add_argument("--disable", dest="active", action="store_false", default=None)
    state.add_argument("--enable", dest="active", action="store_true", default=None)
    change.set_defaults(func=_cmd_set)
    return agent
