"""`civic department ...`: department systems that hand cases back.

`civic department add NAME --forms a,b` prints the department's API key once (only its
SHA-256 is stored): the department's system sends it as `Authorization: Bearer <key>` to
`PATCH /api/v1/cases/{reference}`, and it opens only those forms' cases.
`civic department rotate NAME` prints a new key once; the old key stops working at once.
Adding and rotating are written to the audit log (actor `cli`; never the key).
`civic department secret` prints a new Standard Webhooks secret (`whsec_...`) for a form's
`CIVIC_WEBHOOK_SECRET_<FORM>`. The database is DATABASE_URL (default var/civic.db)."""

from __future__ import annotations

import argparse
import base64
import secrets
import sys
from typing import Any

from sqlalchemy.orm import Session

from bot.agents.models import AuditEntry
from bot.cases.departments import DepartmentError, Departments
from bot.cases.workflow import forms_dir
from bot.clock import SystemClock
from bot.errors import StoreUnavailable
from civic.agent_cli import _database


def _known_forms() -> list[str]:
    return sorted(p.stem for p in forms_dir().glob("*.yml"))


def _audit(session: Session, action: str, name: str, detail: dict[str, Any]) -> None:
    """The audit entry, in the same transaction as the change (actor: the command line)."""
    session.add(
        AuditEntry(
            at=SystemClock().now(), actor="cli", action=action, target=f"department:{name}",
            detail=detail,
        )
    )  # fmt: skip


def _cmd_add(args: argparse.Namespace) -> int:
    try:
        db = _database()
        key = Departments(db, SystemClock()).add(
            args.name, args.forms.split(","), _known_forms(), record=_audit
        )
    except (DepartmentError, StoreUnavailable) as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 1
    print(f"added department {args.name} for {args.forms}")
    print(f"API key (shown once, keep it secret): {key}")
    return 0


def _cmd_rotate(args: argparse.Namespace) -> int:
    try:
        db = _database()
        key = Departments(db, SystemClock()).rotate(args.name, record=_audit)
    except (DepartmentError, StoreUnavailable) as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 1
    print(f"new API key for department {args.name}; the old key no longer works")
    print(f"API key (shown once, keep it secret): {key}")
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    for info in Departments(_database(), SystemClock()).all():
        print(f"{info.name:24} {','.join(sorted(info.forms))}")
    return 0


def _cmd_secret(args: argparse.Namespace) -> int:
    print("whsec_" + base64.b64encode(secrets.token_bytes(32)).decode())
    return 0


def add_department_commands(subparsers: Any) -> None:
    department = subparsers.add_parser(
        "department",
        help="department systems: add and rotate (print the key once), list, secret",
    )
    commands = department.add_subparsers(dest="department_command", required=True)
    add = commands.add_parser("add", help="add a department and print its API key once")
    add.add_argument("name")
    add.add_argument("--forms", required=True, help="comma-separated forms it may change")
    add.set_defaults(func=_cmd_add)
    rotate = commands.add_parser(
        "rotate", help="give a department a new API key (printed once; the old one stops working)"
    )
    rotate.add_argument("name")
    rotate.set_defaults(func=_cmd_rotate)
    commands.add_parser("list", help="list the departments").set_defaults(func=_cmd_list)
    commands.add_parser(
        "secret", help="print a new webhook secret for CIVIC_WEBHOOK_SECRET_<FORM>"
    ).set_defaults(func=_cmd_secret)
