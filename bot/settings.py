"""One typed settings object, read from the environment once.

A missing or malformed value fails at start with a message naming the variable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _int(env: Mapping[str, str], name: str, default: int, low: int = 0, high: int = 2**31) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high}, got {value}")
    return value


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{name} must be positive, got {value}")
    return value


def _url(env: Mapping[str, str], name: str, default: str, schemes: tuple[str, ...]) -> str:
    value = (env.get(name) or default).strip()
    if not value.startswith(schemes):
        raise ConfigError(f"{name} must start with one of {', '.join(schemes)}, got {value!r}")
    return value.rstrip("/")


@dataclass(frozen=True)
class Settings:
    """Everything the gateway reads from its environment."""

    var_dir: Path
    redis_url: str
    database_url: str
    rasa_url: str
    actions_url: str
    gateway_host: str
    gateway_port: int
    api_keys: frozenset[str]
    service_token: str
    rasa_timeout_s: float
    redis_timeout_s: float = 5.0
    max_message_chars: int = 4000
    default_lang: str = "en"
    default_wait_s: int = 180
    rate_limit_per_min: int = 30
    idle_reminder_s: int = 600
    session_idle_s: int = 1800  # a form left this long counts as dropped (outcome metrics)
    log_level: str = "INFO"
    schema_wait_s: int = 600  # how long a starting gateway waits for the migrations
    metrics_port: int | None = None  # /metrics on its own port (None: on the gateway's port)
    extra: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        var_dir = Path(env.get("CIVIC_VAR_DIR") or PROJECT_ROOT / "var").resolve()
        redis_url = (env.get("REDIS_URL") or "").strip()
        if not redis_url:
            raise ConfigError(
                "REDIS_URL is not set: run the gateway through `civic up`, which starts an "
                "embedded Redis, or set REDIS_URL=redis://host:6379/0"
            )
        if not redis_url.startswith(("redis://", "rediss://", "unix://")):
            raise ConfigError(
                f"REDIS_URL must start with redis://, rediss:// or unix://, got {redis_url!r}"
            )
        database_url = (env.get("DATABASE_URL") or f"sqlite:///{var_dir / 'civic.db'}").strip()
        if "://" not in database_url:
            raise ConfigError(f"DATABASE_URL must be an SQLAlchemy URL, got {database_url!r}")
        keys = frozenset(
            k.strip() for k in (env.get("CIVIC_API_KEYS") or "").split(",") if k.strip()
        )
        if not keys:
            raise ConfigError(
                "CIVIC_API_KEYS is not set: give at least one API key (comma-separated)"
            )
        short = [k for k in keys if len(k) < 16]
        if short:
            raise ConfigError("CIVIC_API_KEYS: every key must be at least 16 characters long")
        service_token = (env.get("CIVIC_SERVICE_TOKEN") or "").strip()
        if len(service_token) < 16:
            raise ConfigError("CIVIC_SERVICE_TOKEN must be set (at least 16 characters)")
        lang = (env.get("CIVIC_DEFAULT_LANG") or "en").strip()
        if lang not in ("en", "zh"):
            raise ConfigError(f"CIVIC_DEFAULT_LANG must be en or zh, got {lang!r}")
        level = (env.get("CIVIC_LOG_LEVEL") or "INFO").strip().upper()
        if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ConfigError(
                f"CIVIC_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {level!r}"
            )
        return cls(
            var_dir=var_dir,
            redis_url=redis_url,
            database_url=database_url,
            rasa_url=_url(env, "RASA_URL", "http://127.0.0.1:5005", ("http://", "https://")),
            actions_url=_url(
                env, "CIVIC_ACTIONS_URL", "http://127.0.0.1:5055/webhook", ("http://", "https://")
            ),
            gateway_host=(env.get("CIVIC_HOST") or "127.0.0.1").strip(),
            gateway_port=_int(env, "CIVIC_PORT", 8000, 1, 65535),
            api_keys=keys,
            service_token=service_token,
            rasa_timeout_s=_float(env, "RASA_TIMEOUT_S", 20.0),
            redis_timeout_s=_float(env, "CIVIC_REDIS_TIMEOUT_S", 5.0),
            max_message_chars=_int(env, "CIVIC_MAX_MESSAGE_CHARS", 4000, 1, 100_000),
            default_lang=lang,
            default_wait_s=_int(env, "CIVIC_DEFAULT_WAIT_S", 180, 1),
            rate_limit_per_min=_int(env, "CIVIC_RATE_LIMIT_PER_MIN", 30, 1),
            idle_reminder_s=_int(env, "CIVIC_IDLE_REMINDER_S", 600, 60),
            session_idle_s=_int(env, "CIVIC_SESSION_IDLE_MIN", 30, 1, 1440) * 60,
            log_level=level,
            schema_wait_s=_int(env, "CIVIC_SCHEMA_WAIT_S", 600, 0),
            metrics_port=_int(env, "CIVIC_METRICS_PORT", 0, 0, 65535) or None,
        )
