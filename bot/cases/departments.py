"""Department systems: their API keys (shown once, stored as SHA-256) and the forms whose
cases each may change. A key opens only its own forms' cases; any other reference answers
like an unknown one. `rotate` gives a department a new key: the old one stops working at
once. Adding and rotating take a `record` callback that writes the audit entry in the same
transaction (the audit log belongs to a higher layer: the command line passes it)."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.cases.models import Department
from bot.clock import Clock
from bot.errors import InvalidInput
from bot.storage.db import Database

NAME = re.compile(r"^[a-z][a-z0-9_-]{1,59}$")
KEY_PREFIX = "dk_"
# (session, action, department name, detail): writes the audit entry in the caller's layer
Recorder = Callable[[Session, str, str, dict[str, Any]], None]


class DepartmentError(InvalidInput):
    """A department cannot be added as asked; the message says why."""


@dataclass(frozen=True)
class DepartmentInfo:
    name: str
    forms: frozenset[str]
    created_at: datetime


def _new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class Departments:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def add(
        self,
        name: str,
        forms: Iterable[str],
        known_forms: Iterable[str],
        record: Recorder | None = None,
    ) -> str:
        """Add a department; returns its API key (shown once: only its hash is kept)."""
        if not NAME.match(name):
            raise DepartmentError("a department name is 2-60 lower-case letters, digits, _ or -")
        wanted = sorted({f.strip() for f in forms if f.strip()})
        known = set(known_forms)
        if not wanted:
            raise DepartmentError("name at least one form (--forms a,b)")
        unknown = [f for f in wanted if f not in known]
        if unknown:
            raise DepartmentError(
                f"unknown form(s): {', '.join(unknown)} (known: {', '.join(sorted(known))})"
            )
        key = _new_key()
        with self.db.session() as session:
            if session.scalar(select(Department.id).where(Department.name == name)) is not None:
                raise DepartmentError(f"a department called {name!r} already exists")
            session.add(
                Department(
                    name=name, key_hash=key_digest(key), forms={"forms": wanted}, active=True,
                    created_at=self.clock.now(),
                )
            )  # fmt: skip
            if record is not None:
                record(session, "department_added", name, {"forms": wanted})
        return key

    def rotate(self, name: str, record: Recorder | None = None) -> str:
        """A new API key for the department (returned once, only its hash kept); the old key
        stops working when this returns. DepartmentError for an unknown name."""
        key = _new_key()
        with self.db.session() as session:
            row = session.scalar(select(Department).where(Department.name == name))
            if row is None:
                raise DepartmentError(f"no department called {name!r} (civic department list)")
            row.key_hash = key_digest(key)
            if record is not None:
                forms = sorted(row.forms.get("forms", []))
                record(session, "department_key_rotated", name, {"forms": forms})
        return key

    def authenticate(self, key: str) -> DepartmentInfo | None:
        if not key.startswith(KEY_PREFIX) or len(key) > 200:
            return None
        with self.db.session() as session:
            row = session.scalar(select(Department).where(Department.key_hash == key_digest(key)))
            if row is None or not row.active:
                return None
            return DepartmentInfo(row.name, frozenset(row.forms.get("forms", [])), row.created_at)

    def all(self) -> list[DepartmentInfo]:
        with self.db.session() as session:
            rows = session.scalars(select(Department).order_by(Department.name)).all()
            return [
                DepartmentInfo(r.name, frozenset(r.forms.get("forms", [])), r.created_at)
                for r in rows
            ]
