"""Insights settings, read from the environment once (a malformed value stops with its name)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from bot.errors import ConfigError


def _number(env: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low:g} and {high:g}, got {value:g}")
    return value


@dataclass(frozen=True)
class InsightsSettings:
    session_idle_s: int = 1800  # a session ends after this much silence (containment)
    service_level: float = 0.8  # share of chats to pick up within the target
    service_target_s: int = 120
    chats_per_agent: int = 1  # concurrent chats one agent handles
    guide_stale_days: int = 365  # a guide reviewed longer ago than this is stale

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> InsightsSettings:
        env = os.environ if environ is None else environ
        return cls(
            session_idle_s=int(_number(env, "CIVIC_SESSION_IDLE_MIN", 30, 1, 1440) * 60),
            service_level=_number(env, "CIVIC_SERVICE_LEVEL", 0.8, 0.01, 0.999),
            service_target_s=int(_number(env, "CIVIC_SERVICE_TARGET_S", 120, 1, 86400)),
            chats_per_agent=int(_number(env, "CIVIC_CHATS_PER_AGENT", 1, 1, 20)),
            guide_stale_days=int(_number(env, "CIVIC_GUIDE_STALE_DAYS", 365, 1, 3650)),
        )
