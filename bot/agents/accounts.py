"""Agent accounts (argon2-hashed passwords, roles), console sessions in Redis, the login rate
limit and the audit log.

A session token is random (256 bits) and handed to the agent once; Redis keeps only its
SHA-256, so a copy of Redis does not let anyone log in.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import secrets
from dataclasses import asdict, dataclass
from typing import Any, Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.agents.models import Agent, AuditEntry
from bot.clock import Clock
from bot.errors import CivicError
from bot.storage import keys
from bot.storage.db import Database

Role = Literal["agent", "supervisor"]
ROLES: tuple[Role, ...] = ("agent", "supervisor")
USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{2,100}$")
_HASHER = PasswordHasher()
# verified when the username is unknown, so that a login takes as long either way
_DUMMY_HASH = _HASHER.hash("not-a-real-password")


class AccountError(CivicError):
    """An account cannot be created or changed; the message says why."""


class LoginFailed(CivicError):
    """Wrong username or password (the message never says which)."""


class LoginThrottled(CivicError):
    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"too many failed logins, retry in {retry_after_s} s")
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class AgentSession:
    username: str
    role: Role
    team: str | None
    csrf_token: str

    @property
    def supervisor(self) -> bool:
        return self.role == "supervisor"


@dataclass(frozen=True)
class AgentInfo:
    username: str
    role: Role
    team: str | None
    active: bool


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class AgentAccounts:
    def __init__(
        self,
        db: Database,
        redis: Redis,
        clock: Clock,
        *,
        session_ttl_s: int = 12 * 3600,
        max_failures: int = 5,
        window_s: int = 900,
    ) -> None:
        self.db = db
        self.redis = redis
        self.clock = clock
        self.session_ttl_s = session_ttl_s
        self.max_failures = max_failures
        self.window_s = window_s

    # --- accounts (synchronous: used by the CLI and, through threads, by the gateway) -----

    def add(self, username: str, password: str, role: str, team: str | None = None) -> AgentInfo:
        if not USERNAME.match(username):
            raise AccountError("a username is 2-100 letters, digits or . _ @ -")
        if role not in ROLES:
            raise AccountError(f"role must be one of {', '.join(ROLES)}")
        if len(password) < 10:
            raise AccountError("the password must be at least 10 characters long")
        agent = Agent(
            username=username,
            password_hash=_HASHER.hash(password),
            role=role,
            team=team or None,
            active=True,
            created_at=self.clock.now(),
        )
        try:
            with self.db.session() as session:
                session.add(agent)
                session.add(
                    AuditEntry(
                        at=self.clock.now(), actor="cli", action="agent_added", target=username,
                        detail={"role": role, "team": team},
                    )
                )  # fmt: skip
        except Exception as exc:
            if isinstance(exc.__cause__, IntegrityError):
                raise AccountError(f"an agent called {username!r} already exists") from None
            raise
        return AgentInfo(username, role, team or None, True)  # type: ignore[arg-type]

    def all(self) -> list[AgentInfo]:
        with self.db.session() as session:
            rows = session.scalars(select(Agent).order_by(Agent.username)).all()
            return [
                AgentInfo(a.username, a.role, a.team, a.active)  # type: ignore[arg-type]
                for a in rows
            ]

    def _verify(self, username: str, password: str) -> AgentInfo | None:
        with self.db.session() as session:
            agent = session.scalars(select(Agent).where(Agent.username == username)).first()
            stored = agent.password_hash if agent is not None and agent.active else _DUMMY_HASH
            try:
                _HASHER.verify(stored, password)
            except (VerificationError, InvalidHashError):
                return None
            if agent is None or not agent.active:
                return None
            if _HASHER.check_needs_rehash(agent.password_hash):
                agent.password_hash = _HASHER.hash(password)
            return AgentInfo(agent.username, agent.role, agent.team, True)  # type: ignore[arg-type]

    # --- sessions -------------------------------------------------------------------------

    async def login(self, username: str, password: str, client: str) -> tuple[str, AgentSession]:
        """(token, session) for good credentials; LoginFailed / LoginThrottled otherwise."""
        scopes = [f"user:{username.lower()[:100]}", f"client:{client}"]
        for scope in scopes:
            failures = await self.redis.get(keys.agent_login_failures(scope))
            if failures is not None and int(failures) >= self.max_failures:
                ttl = await self.redis.ttl(keys.agent_login_failures(scope))
                raise LoginThrottled(max(1, int(ttl)))
        info = await asyncio.to_thread(self._verify, username, password)
        if info is None:
            for scope in scopes:
                key = keys.agent_login_failures(scope)
                if await self.redis.incr(key) == 1:
                    await self.redis.expire(key, self.window_s)
            await self.audit(username[:100], "login_failed", None, {"client": client})
            raise LoginFailed("wrong username or password")
        await self.redis.delete(keys.agent_login_failures(scopes[0]))
        token = secrets.token_urlsafe(32)
        session = AgentSession(info.username, info.role, info.team, secrets.token_urlsafe(24))
        await self.redis.set(
            keys.agent_session(digest(token)), json.dumps(asdict(session)), ex=self.session_ttl_s
        )
        await self.audit(info.username, "login", None, {"client": client})
        return token, session

    async def session(self, token: str) -> AgentSession | None:
        if not token or len(token) > 200:
            return None
        raw = await self.redis.get(keys.agent_session(digest(token)))
        if raw is None:
            return None
        await self.redis.expire(keys.agent_session(digest(token)), self.session_ttl_s)
        return AgentSession(**json.loads(raw))

    async def logout(self, token: str, username: str) -> None:
        await self.redis.delete(keys.agent_session(digest(token)))
        await self.audit(username, "logout", None, None)

    # --- audit ----------------------------------------------------------------------------

    async def audit(
        self, actor: str, action: str, target: str | None, detail: dict[str, Any] | None
    ) -> None:
        def write() -> None:
            with self.db.session() as session:
                session.add(
                    AuditEntry(
                        at=self.clock.now(), actor=actor, action=action, target=target,
                        detail=detail,
                    )
                )  # fmt: skip

        await asyncio.to_thread(write)

    def audit_entries(self, limit: int = 100) -> list[dict[str, Any]]:
        with self.db.session() as session:
            rows = session.scalars(
                select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
            ).all()
            return [
                {"at": r.at.isoformat(), "actor": r.actor, "action": r.action,
                 "target": r.target, "detail": r.detail}
                for r in rows
            ]  # fmt: skip
