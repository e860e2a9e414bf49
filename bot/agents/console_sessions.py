"""Console sessions in Redis, the login rate limit and set-password links, over the accounts
that AgentAccounts (bot/agents/accounts.py) keeps in SQL.

A session token is random (256 bits) and handed to the agent once; Redis keeps only its
SHA-256, so a copy of Redis does not let anyone log in.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import secrets
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass
from typing import Any

from redis.asyncio import Redis

from bot.agents.account_rules import AccountError, AgentInfo
from bot.agents.audit import AuditLog
from bot.agents.availability import profile_line
from bot.agents.roles import Permission, Role, may
from bot.errors import CivicError
from bot.storage import keys

LINK_TTL_S = 24 * 3600


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
    console_lang: str | None = None  # None: not chosen yet (the browser's language)
    display_name: str | None = None  # (sessions from before display names have none)

    @property
    def name(self) -> str:
        """What people see: the display name, else the username."""
        return self.display_name or self.username

    @property
    def supervisor(self) -> bool:
        return self.role == "supervisor"

    def may(self, permission: Permission) -> bool:
        return may(self.role, permission)


_SESSION_FIELDS = frozenset(AgentSession.__dataclass_fields__)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ConsoleSessions(AuditLog, ABC):
    redis: Redis
    session_ttl_s: int
    max_failures: int
    window_s: int
    default_capacity: int

    # --- what sessions need of the accounts ------------------------------------------------

    @abstractmethod
    def verify(self, username: str, password: str) -> AgentInfo | None:
        """The account when the password is right and the account may log in, else None."""

    @abstractmethod
    def set_password(self, username: str, password: str, actor: str) -> None: ...

    @abstractmethod
    def update(self, username: str, actor: str, **changes: Any) -> AgentInfo: ...

    # --- sessions -------------------------------------------------------------------------

    async def login(self, username: str, password: str, client: str) -> tuple[str, AgentSession]:
        """(token, session) for good credentials; LoginFailed / LoginThrottled otherwise."""
        scopes = [f"user:{username.lower()[:100]}", f"client:{client}"]
        for scope in scopes:
            failures = await self.redis.get(keys.agent_login_failures(scope))
            if failures is not None and int(failures) >= self.max_failures:
                ttl = await self.redis.ttl(keys.agent_login_failures(scope))
                raise LoginThrottled(max(1, int(ttl)))
        info = await asyncio.to_thread(self.verify, username, password)
        if info is None:
            for scope in scopes:
                key = keys.agent_login_failures(scope)
                if await self.redis.incr(key) == 1:
                    await self.redis.expire(key, self.window_s)
            await self.audit(username[:100], "login_failed", None, {"client": client})
            raise LoginFailed("wrong username or password")
        await self.redis.delete(keys.agent_login_failures(scopes[0]))
        token = secrets.token_urlsafe(32)
        session = AgentSession(
            info.username,
            info.role,
            info.team,
            secrets.token_urlsafe(24),
            info.console_lang,
            info.display_name,
        )
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(
                keys.agent_session(digest(token)),
                json.dumps(asdict(session)),
                ex=self.session_ttl_s,
            )
            pipe.sadd(keys.agent_sessions_of(info.username), digest(token))
            pipe.expire(keys.agent_sessions_of(info.username), self.session_ttl_s)
            capacity = self.default_capacity if info.capacity is None else info.capacity
            pipe.hset(
                keys.desk_profiles(),
                info.username,
                profile_line(info.team, info.languages, capacity),
            )
            await pipe.execute()
        await self.audit(info.username, "login", None, {"client": client})
        return token, session

    async def session(self, token: str) -> AgentSession | None:
        if not token or len(token) > 200:
            return None
        raw = await self.redis.get(keys.agent_session(digest(token)))
        if raw is None:
            return None
        await self.redis.expire(keys.agent_session(digest(token)), self.session_ttl_s)
        data = json.loads(raw)
        return AgentSession(**{k: v for k, v in data.items() if k in _SESSION_FIELDS})

    async def end_sessions(self, username: str) -> int:
        """Log an account out everywhere (disabled, role or team changed, password reset)."""
        members: set[Any] = await self.redis.smembers(  # type: ignore[misc]
            keys.agent_sessions_of(username)
        )
        names = [keys.agent_session(m.decode() if isinstance(m, bytes) else m) for m in members]
        if names:
            await self.redis.delete(*names)
        await self.redis.delete(keys.agent_sessions_of(username))
        return len(names)

    async def remember_console_lang(self, token: str, session: AgentSession, lang: str) -> None:
        """The agent's choice of console language, kept in the account and this session."""
        await asyncio.to_thread(self.update, session.username, session.username,
                                console_lang=lang)  # fmt: skip
        changed = AgentSession(**{**asdict(session), "console_lang": lang})
        await self.redis.set(
            keys.agent_session(digest(token)), json.dumps(asdict(changed)), ex=self.session_ttl_s
        )

    async def logout(self, token: str, username: str) -> None:
        await self.redis.delete(keys.agent_session(digest(token)))
        await self.redis.srem(keys.agent_sessions_of(username), digest(token))  # type: ignore[misc]
        await self.audit(username, "logout", None, None)

    # --- set-password links -----------------------------------------------------------------

    async def password_link(self, username: str, actor: str) -> str:
        """A one-time token to set the account's password, valid LINK_TTL_S (shown once)."""
        token = secrets.token_urlsafe(32)
        await self.redis.set(keys.agent_password_link(digest(token)), username, ex=LINK_TTL_S)
        await self.audit(actor, "password_link", username, {"valid_s": LINK_TTL_S})
        return token

    async def redeem_password_link(self, token: str, password: str) -> str:
        """Set the password with a link's token (once). AccountError when it is unknown,
        used or expired, or the password is too short."""
        if len(password) < 10:
            raise AccountError("the password must be at least 10 characters long")
        if not token or len(token) > 200:
            raise AccountError("this link is not valid (used or expired?)")
        raw = await self.redis.getdel(keys.agent_password_link(digest(token)))
        if raw is None:
            raise AccountError("this link is not valid (used or expired?)")
        username = raw.decode() if isinstance(raw, bytes) else str(raw)
        await asyncio.to_thread(self.set_password, username, password, username)
        await self.end_sessions(username)
        return username
