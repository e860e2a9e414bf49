"""Settings of the handoff queue, the SLA targets and the agent console, from the environment.

Read once at start; a malformed value raises ConfigError naming the variable.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.errors import ConfigError
from bot.handoff.office_hours import OfficeHours


def _seconds(env: Mapping[str, str], name: str, default: int, low: int = 1) -> int:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < low:
        raise ConfigError(f"{name} must be a whole number >= {low}, got {raw!r}")
    return int(raw)


@dataclass(frozen=True)
class Route:
    """`topic:<glob>` and/or `lang:<code>` -> team; the first matching route wins."""

    team: str
    topic: str | None = None
    lang: str | None = None

    def matches(self, topic: str | None, lang: str) -> bool:
        if self.lang is not None and self.lang != lang:
            return False
        if self.topic is not None:
            return topic is not None and fnmatch.fnmatchcase(topic.lower(), self.topic)
        return True


def parse_routes(raw: str) -> tuple[Route, ...]:
    """``topic:passport*=documents, lang:zh=zh-desk, topic:streetlight*+lang:en=streets``."""
    routes = []
    for entry in filter(None, (e.strip() for e in raw.split(","))):
        selector, sep, team = entry.rpartition("=")
        team = team.strip()
        parts: dict[str, str] = {}
        for condition in filter(None, (c.strip() for c in selector.split("+"))):
            kind, _, value = condition.partition(":")
            if kind not in ("topic", "lang") or not value.strip():
                parts = {}
                break
            parts[kind] = value.strip().lower()
        if not sep or not team or not parts:
            raise ConfigError(
                f"CIVIC_HANDOFF_ROUTES: cannot read {entry!r} "
                "(expected e.g. 'topic:passport*=documents,lang:zh=zh-desk')"
            )
        routes.append(Route(team=team, topic=parts.get("topic"), lang=parts.get("lang")))
    return tuple(routes)


def parse_assignment(raw: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """``auto`` or ``manual`` (every team), or ``documents=auto,general=manual`` (the teams
    named; a bare mode among them sets the rest). -> (default mode, ((team, mode), ...))."""
    default, teams = "manual", []
    for entry in filter(None, (e.strip() for e in raw.split(","))):
        team, sep, mode = entry.rpartition("=")
        mode = mode.strip().lower()
        if mode not in ("auto", "manual") or (sep and not team.strip()):
            raise ConfigError(
                f"CIVIC_ASSIGNMENT: cannot read {entry!r} (expected e.g. 'auto' or "
                "'documents=auto,general=manual')"
            )
        if sep:
            teams.append((team.strip(), mode))
        else:
            default = mode
    return default, tuple(teams)


@dataclass(frozen=True)
class HandoffSettings:
    office_hours: OfficeHours = field(default_factory=OfficeHours)
    routes: tuple[Route, ...] = ()
    default_team: str = "general"
    max_wait_s: int = 1800  # estimated wait above this: offer a message or a callback
    abandon_after_s: int = 600  # citizen silence before a ticket is abandoned
    sweep_interval_s: int = 30
    sla_pickup_simple_s: int = 120
    sla_pickup_s: int = 300
    session_ttl_s: int = 12 * 3600
    login_max_failures: int = 5
    login_window_s: int = 900
    console_kb: str = "bm25"  # bm25 | full | off
    # the agent desk: automatic assignment and availability
    assignment_default: str = "manual"  # auto | manual, for teams not named below
    assignment_teams: tuple[tuple[str, str], ...] = ()
    accept_timeout_s: int = 60  # an assigned ticket not accepted by then goes back
    agent_idle_s: int = 300  # no activity in the console for this long: away
    presence_grace_s: int = 45  # console connection gone for this long: offline
    agent_capacity: int = 3  # concurrent chats of an agent unless their account says
    still_there_s: int = 180  # no agent reply to the citizen for this long: reassure once
    desk_tick_s: float = 2.0  # how often a gateway looks at presence, time-outs, assignment

    def assignment_mode(self, team: str) -> str:
        return dict(self.assignment_teams).get(team, self.assignment_default)

    def team_for(self, topic: str | None, lang: str) -> str:
        for route in self.routes:
            if route.matches(topic, lang):
                return route.team
        return self.default_team

    def sla_target_s(self, priority: int) -> int:
        return self.sla_pickup_simple_s if priority > 0 else self.sla_pickup_s

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> HandoffSettings:
        env = os.environ if environ is None else environ
        kb = (env.get("CIVIC_CONSOLE_KB") or "bm25").strip().lower()
        if kb not in ("bm25", "full", "off"):
            raise ConfigError(f"CIVIC_CONSOLE_KB must be bm25, full or off, got {kb!r}")
        team = (env.get("CIVIC_DEFAULT_TEAM") or "general").strip()
        assignment, per_team = parse_assignment(env.get("CIVIC_ASSIGNMENT") or "")
        return cls(
            office_hours=OfficeHours.parse(
                env.get("CIVIC_OFFICE_HOURS") or "",
                env.get("CIVIC_HOLIDAYS") or "",
                env.get("CIVIC_OFFICE_TZ") or "UTC",
            ),
            routes=parse_routes(env.get("CIVIC_HANDOFF_ROUTES") or ""),
            default_team=team,
            max_wait_s=_seconds(env, "CIVIC_MAX_WAIT_S", 1800),
            abandon_after_s=_seconds(env, "CIVIC_ABANDON_AFTER_S", 600),
            sweep_interval_s=_seconds(env, "CIVIC_HANDOFF_SWEEP_S", 30),
            sla_pickup_simple_s=_seconds(env, "CIVIC_SLA_PICKUP_SIMPLE_S", 120),
            sla_pickup_s=_seconds(env, "CIVIC_SLA_PICKUP_S", 300),
            session_ttl_s=_seconds(env, "CIVIC_AGENT_SESSION_TTL_S", 12 * 3600, 60),
            login_max_failures=_seconds(env, "CIVIC_LOGIN_MAX_FAILURES", 5),
            login_window_s=_seconds(env, "CIVIC_LOGIN_WINDOW_S", 900),
            console_kb=kb,
            assignment_default=assignment,
            assignment_teams=per_team,
            accept_timeout_s=_seconds(env, "CIVIC_ACCEPT_TIMEOUT_S", 60),
            agent_idle_s=_seconds(env, "CIVIC_AGENT_IDLE_S", 300),
            presence_grace_s=_seconds(env, "CIVIC_AGENT_PRESENCE_GRACE_S", 45),
            agent_capacity=_seconds(env, "CIVIC_AGENT_CAPACITY", 3),
            still_there_s=_seconds(env, "CIVIC_AGENT_STILL_THERE_S", 180),
            desk_tick_s=_seconds(env, "CIVIC_DESK_TICK_S", 2),
        )
