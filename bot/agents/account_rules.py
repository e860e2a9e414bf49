"""What an agent account holds and which values it accepts (username, display name, role, team,
capacity, languages, console language), and how its password is hashed (argon2)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher

from bot.agents.models import Agent
from bot.agents.roles import ROLES, Role
from bot.errors import CivicError

USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{2,100}$")
LANGUAGE = re.compile(r"^[a-z]{2,3}$")
CONSOLE_LANGS = ("en", "zh")
UNUSABLE = "!"  # the password hash of an account whose password is still to be set
HASHER = PasswordHasher()
# verified when the username is unknown, so that a login takes as long either way
DUMMY_HASH = HASHER.hash("not-a-real-password")


class AccountError(CivicError):
    """An account cannot be created or changed; the message says why."""


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


def info_of(agent: Agent) -> AgentInfo:
    return AgentInfo(
        agent.username, agent.role, agent.team, agent.active,  # type: ignore[arg-type]
        agent.capacity, _languages(agent.languages), agent.console_lang, agent.display_name,
    )  # fmt: skip


def clean_display_name(raw: str | None) -> str | None:
    """A display name: one line of at most 100 characters, or None."""
    name = " ".join((raw or "").split())
    if len(name) > 100 or any(ord(c) < 32 for c in name):
        raise AccountError("a display name is one line of at most 100 characters")
    return name or None


def _languages(raw: str | None) -> tuple[str, ...]:
    return tuple(x for x in (raw or "").split(",") if x)


def hash_password(password: str) -> str:
    if len(password) < 10:
        raise AccountError("the password must be at least 10 characters long")
    if len(password) > 1000:
        raise AccountError("the password must be at most 1000 characters long")
    return HASHER.hash(password)


def check(**values: Any) -> None:
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
