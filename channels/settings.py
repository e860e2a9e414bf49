"""The channels' settings (Telegram, web widget, REST push), read from the environment once."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.errors import ConfigError
from bot.settings import Settings

_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ConfigError(f"{name} must be a whole number from {low} to {high}, got {raw!r}")
    return int(raw)


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if not 0 < value <= 3600:
        raise ConfigError(f"{name} must be between 0 and 3600 seconds, got {raw!r}")
    return value


@dataclass(frozen=True)
class ChannelSettings:
    uploads_dir: Path
    web_secret: bytes  # signs anonymous web identities
    telegram_token: str | None = None
    telegram_api_base_url: str = "https://api.telegram.org"
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: str | None = None
    callback_max_attempts: int = 6
    callback_backoff_s: float = 1.0

    @property
    def telegram_enabled(self) -> bool:
        return self.telegram_token is not None

    @classmethod
    def from_env(cls, core: Settings, environ: Mapping[str, str] | None = None) -> ChannelSettings:
        env = os.environ if environ is None else environ
        token = (env.get("TELEGRAM_BOT_TOKEN") or "").strip() or None
        if token is not None and not _TOKEN.match(token):
            raise ConfigError("TELEGRAM_BOT_TOKEN does not look like a bot token (123456:ABC...)")
        base = (env.get("TELEGRAM_API_BASE_URL") or "https://api.telegram.org").strip().rstrip("/")
        if not base.startswith(("http://", "https://")):
            raise ConfigError(f"TELEGRAM_API_BASE_URL must be an http(s) URL, got {base!r}")
        webhook = (env.get("TELEGRAM_WEBHOOK_URL") or "").strip() or None
        secret = (env.get("TELEGRAM_WEBHOOK_SECRET") or "").strip() or None
        if webhook is not None:
            if not webhook.startswith(("http://", "https://")):
                raise ConfigError(f"TELEGRAM_WEBHOOK_URL must be an http(s) URL, got {webhook!r}")
            if secret is None:
                raise ConfigError(
                    "TELEGRAM_WEBHOOK_SECRET must be set when TELEGRAM_WEBHOOK_URL is "
                    "(1-256 characters A-Z a-z 0-9 _ -)"
                )
        if secret is not None and not _SECRET.match(secret):
            raise ConfigError("TELEGRAM_WEBHOOK_SECRET: 1-256 characters A-Z a-z 0-9 _ - only")
        web_secret = (env.get("CIVIC_WEB_SECRET") or "").strip()
        if web_secret and len(web_secret) < 16:
            raise ConfigError("CIVIC_WEB_SECRET must be at least 16 characters")
        key = (
            web_secret.encode()
            if web_secret
            else hmac.new(core.service_token.encode(), b"web-identity", hashlib.sha256).digest()
        )
        return cls(
            uploads_dir=core.var_dir / "uploads",
            web_secret=key,
            telegram_token=token,
            telegram_api_base_url=base,
            telegram_webhook_url=webhook,
            telegram_webhook_secret=secret,
            callback_max_attempts=_int(env, "CIVIC_CALLBACK_MAX_ATTEMPTS", 6, 1, 20),
            callback_backoff_s=_float(env, "CIVIC_CALLBACK_BACKOFF_S", 1.0),
        )
