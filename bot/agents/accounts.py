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
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.agents.availability import profile_line
from bot.agents.models import Agent, AuditEntry
from bot.agents.roles import ROLES, Permission, Role, may
from bot.clock import Clock
from bot.errors import CivicError
from bot.storage import keys
from bot.storage.db import Database

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


@dataclass(frozen=True)
class AgentInfo:
    username: str
    role: Role
    team: str | None
    active: bool
    capacity: int | None = None  # None: CIVIC_AGENT_CAPACITY
    languages: tuple[str, ...] = ()  # () : any
    console_lang: str | None = None
    display_name: str | None = None


def _info(agent: Agent) -> AgentInfo:
    return AgentInfo(
        agent.username, agent.role, agent.team, agent.active,  # type: ignore[arg-type]
        agent.capacity, _languages(agent.languages), agent.console_lang, agent.display_name,
    )  # fmt: skip


def _display_name(raw: str | None) -> str | None:
    """A display name: one line of at most 100 characters, or None."""
    name = " ".join((raw or "").split())
    if len(name) > 100 or any(ord(c) < 32 for c in name):
        raise AccountError("a display name is one line of at most 100 characters")
    return name or None


def _languages(raw: str | None) -> tuple[str, ...]:
    return tuple(x for x in (raw or "").split(",") if x)


LANGUAGE = re.compile(r"^[a-z]{2,3}$")
CONSOLE_LANGS = ("en", "zh")
UNUSABLE = "!"  # the password hash of an account whose password is still to be set
LINK_TTL_S = 24 * 3600


def _hash(password: str) -> str:
    if len(password) < 10:
        raise AccountError("the password must be at least 10 characters long")
    if len(password) > 1000:
        raise AccountError("the password must be at most 1000 characters long")
    return _HASHER.hash(password)


def _existing(session: Session, username: str) -> Agent:
    agent = session.scalars(select(Agent).where(Agent.username == username)).first()
    if agent is None:
        raise AccountError(f"no agent called {username!r}")
    return agent


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _check(**values: Any) -> None:
    """AccountError naming the first bad value among role, team, capacity, languages,
    console_lang."""
    if "role" in values and values["role"] not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    team = values.get("team")
    if team is not None and (not isinstance(team, str) or len(team) > 60):
        raise AccountError("a team is at most 60 characters")
    capacity = values.get("capacity")
    if capacity is not None and (not isinstance(capacity, int) or not 0 <= capacity <= 50):
        raise AccountError("capacity must be a whole number from 0 to 50")
    for lang in values.get("languages") or ():
        if not isinstance(lang, str) or not LANGUAGE.match(lang):
            raise AccountError("languages are codes such as en or zh")
    if "console_lang" in values and values["console_lang"] not in CONSOLE_LANGS:
        raise AccountError(f"the console speaks {', '.join(CONSOLE_LANGS)}")


_SESSION_FIELDS = frozenset(AgentSession.__dataclass_fields__)


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
        display_name = _display_name(display_name)
        _check(role=role, capacity=capacity, languages=languages, team=team)
        agent = Agent(
            username=username,
            password_hash=UNUSABLE if password is None else _hash(password),
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
                session.add(self._entry(actor, "agent_added", username, detail))
        except Exception as exc:
            if isinstance(exc.__cause__, IntegrityError) and self.get(username) is not None:
                raise AccountError(f"an agent called {username!r} already exists") from None
            raise
        return _info(agent)

    def get(self, username: str) -> AgentInfo | None:
        with self.db.session() as session:
            agent = session.scalars(select(Agent).where(Agent.username == username)).first()
            return _info(agent) if agent is not None else None

    def all(self) -> list[AgentInfo]:
        with self.db.session() as session:
            rows = session.scalars(select(Agent).order_by(Agent.username)).all()
            return [_info(a) for a in rows]

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
            changes["display_name"] = _display_name(changes["display_name"])
        _check(**{k: v for k, v in changes.items() if k not in ("active", "display_name")})
        with self.db.session() as session:
            agent = _existing(session, username)
            before = _info(agent)
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
                session.add(self._entry(actor, action, username, diff))
            return _info(agent)

    def rename(self, username: str, display_name: str | None, actor: str = "cli") -> None:
        """Set (or with None clear) the name people see."""
        self.update(username, actor, display_name=display_name)

    def set_password(self, username: str, password: str, actor: str) -> None:
        hashed = _hash(password)
        with self.db.session() as session:
            agent = _existing(session, username)
            agent.password_hash = hashed
            session.add(self._entry(actor, "password_set", username, None))

    def reset_password(self, username: str, actor: str) -> None:
        """The old password stops working at once; a new one comes by a set-password link."""
        with self.db.session() as session:
            agent = _existing(session, username)
            agent.password_hash = UNUSABLE
            session.add(self._entry(actor, "password_reset", username, None))

    def _entry(
        self, actor: str, action: str, target: str | None, detail: dict[str, Any] | None
    ) -> AuditEntry:
        return AuditEntry(
            at=self.clock.now(), actor=actor, action=action, target=target, detail=detail
        )

    def _verify(self, username: str, password: str) -> AgentInfo | None:
        with self.db.session() as session:
            agent = session.scalars(select(Agent).where(Agent.username == username)).first()
            usable = agent is not None and agent.active and agent.password_hash != UNUSABLE
            stored = agent.password_hash if agent is not None and usable else _DUMMY_HASH
            try:
                _HASHER.verify(stored, password)
            except (VerificationError, InvalidHashError):
                return None
            if agent is None or not usable:
                return None
            if _HASHER.check_needs_rehash(agent.password_hash):
                agent.password_hash = _HASHER.hash(password)
            return _info(agent)

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

    async def logout(self, token: str, username: str) -> None:
        await self.redis.delete(keys.agent_session(digest(token)))
        await self.redis.srem(keys.agent_sessions_of(username), digest(token))  # type: ignore[misc]
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
