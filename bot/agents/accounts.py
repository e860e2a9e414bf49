"""Agent accounts in SQL: adding, reading and changing them, passwords, and checking a
password at login. With the console sessions (bot/agents/console_sessions.py) and the audit
log (bot/agents/audit.py) they make AgentAccounts, the one object the gateway, the console and
the command line use.
"""

from __future__ import annotations

from typing import Any

from argon2.exceptions import InvalidHashError, VerificationError
from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.agents.account_rules import (
    DUMMY_HASH,
    HASHER,
    UNUSABLE,
    USERNAME,
    AccountError,
    AgentInfo,
    check,
    clean_display_name,
    hash_password,
    info_of,
)
from bot.agents.console_sessions import (
    LINK_TTL_S,
    AgentSession,
    ConsoleSessions,
    LoginFailed,
    LoginThrottled,
)
from bot.agents.models import Agent
from bot.clock import Clock
from bot.storage.db import Database

# console/ still imports these from here (their homes: account_rules.py, console_sessions.py)
__all__ = [
    "LINK_TTL_S",
    "AccountError",
    "AgentAccounts",
    "AgentInfo",
    "AgentSession",
    "LoginFailed",
    "LoginThrottled",
]


def _existing(session: Session, username: str) -> Agent:
    agent = session.scalars(select(Agent).where(Agent.username == username)).first()
    if agent is None:
        raise AccountError(f"no agent called {username!r}")
    return agent


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


class AgentAccounts(ConsoleSessions):
    def __init__(
        self,
        db: Database,
        redis: Redis,
        clock: Clock,
        *,
        session_ttl_s: int = 12 * 3600,
        max_failures: int = 5,
        window_s: int = 900,
        default_capacity: int = 3,
    ) -> None:
        self.db = db
        self.redis = redis
        self.clock = clock
        self.session_ttl_s = session_ttl_s
        self.max_failures = max_failures
        self.window_s = window_s
        self.default_capacity = default_capacity

    # --- accounts (synchronous: used by the CLI and, through threads, by the gateway) -----

    def add(
        self,
        username: str,
        password: str | None,
        role: str,
        team: str | None = None,
        *,
        actor: str = "cli",
        capacity: int | None = None,
        languages: tuple[str, ...] = (),
        display_name: str | None = None,
    ) -> AgentInfo:
        """A new account; without a password it cannot log in until one is set (by a
        set-password link)."""
        if not USERNAME.match(username):
            raise AccountError("a username is 2-100 letters, digits or . _ @ -")
        display_name = clean_display_name(display_name)
        check(role=role, capacity=capacity, languages=languages, team=team)
        agent = Agent(
            username=username,
            password_hash=UNUSABLE if password is None else hash_password(password),
            role=role,
            team=team or None,
            active=True,
            created_at=self.clock.now(),
            capacity=capacity,
            languages=",".join(languages) or None,
            display_name=display_name,
        )
        detail = {"role": role, "team": team or None, "capacity": capacity,
                  "languages": list(languages), "display_name": display_name}  # fmt: skip
        try:
            with self.db.session() as session:
                session.add(agent)
                session.add(self.entry(actor, "agent_added", username, detail))
        except Exception as exc:
            if isinstance(exc.__cause__, IntegrityError) and self.get(username) is not None:
                raise AccountError(f"an agent called {username!r} already exists") from None
            raise
        return info_of(agent)

    def get(self, username: str) -> AgentInfo | None:
        with self.db.session() as session:
            agent = session.scalars(select(Agent).where(Agent.username == username)).first()
            return info_of(agent) if agent is not None else None

    def all(self) -> list[AgentInfo]:
        with self.db.session() as session:
            rows = session.scalars(select(Agent).order_by(Agent.username)).all()
            return [info_of(a) for a in rows]

    def update(self, username: str, actor: str, **changes: Any) -> AgentInfo:
        """Change role, team, capacity, languages, console_lang, display_name or active;
        audited with the old and new values. AccountError for an unknown account or a bad
        value."""
        allowed = {
            "role", "team", "capacity", "languages", "console_lang", "active", "display_name",
        }  # fmt: skip
        if not set(changes) <= allowed:
            raise AccountError(f"cannot change {', '.join(sorted(set(changes) - allowed))}")
        if "display_name" in changes:
            changes["display_name"] = clean_display_name(changes["display_name"])
        check(**{k: v for k, v in changes.items() if k not in ("active", "display_name")})
        with self.db.session() as session:
            agent = _existing(session, username)
            before = info_of(agent)
            diff: dict[str, Any] = {}
            for name, value in changes.items():
                old = getattr(before, name)
                if name == "languages":
                    value = tuple(value)
                    agent.languages = ",".join(value) or None
                elif name == "team":
                    value = value or None
                    agent.team = value
                else:
                    setattr(agent, name, value)
                if old != value:
                    diff[name] = {"from": _plain(old), "to": _plain(value)}
            if diff:
                action = "agent_changed"
                if list(diff) == ["active"]:
                    action = "agent_enabled" if changes["active"] else "agent_disabled"
                session.add(self.entry(actor, action, username, diff))
            return info_of(agent)

    def rename(self, username: str, display_name: str | None, actor: str = "cli") -> None:
        """Set (or with None clear) the name people see."""
        self.update(username, actor, display_name=display_name)

    def set_password(self, username: str, password: str, actor: str) -> None:
        hashed = hash_password(password)
        with self.db.session() as session:
            agent = _existing(session, username)
            agent.password_hash = hashed
            session.add(self.entry(actor, "password_set", username, None))

    def reset_password(self, username: str, actor: str) -> None:
        """The old password stops working at once; a new one comes by a set-password link."""
        with self.db.session() as session:
            agent = _existing(session, username)
            agent.password_hash = UNUSABLE
            session.add(self.entry(actor, "password_reset", username, None))

    def verify(self, username: str, password: str) -> AgentInfo | None:
        with self.db.session() as session:
            agent = session.scalars(select(Agent).where(Agent.username == username)).first()
            usable = agent is not None and agent.active and agent.password_hash != UNUSABLE
            stored = agent.password_hash if agent is not None and usable else DUMMY_HASH
            try:
                HASHER.verify(stored, password)
            except (VerificationError, InvalidHashError):
                return None
            if agent is None or not usable:
                return None
            if HASHER.check_needs_rehash(agent.password_hash):
                agent.password_hash = HASHER.hash(password)
            return info_of(agent)
