"""The action server's one settings object: read from the environment once, at start, checked
whole (a server with no forms or no guides refuses to start), then passed down.

`python -m actions.server` builds it and hands it to `configure()`; the Rasa SDK makes the
actions itself, so they read it through `current()`. Nothing else in actions/ reads the
environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from common.errors import ConfigError
from knowledge_base import SearchConfig

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_KB_WATCH_S = 10.0


class ActionConfigError(ConfigError):
    """A setting of the action server is missing or malformed."""


@dataclass(frozen=True)
class ActionSettings:
    port: int
    guides_dir: Path
    index_dir: Path
    index_seed: Path | None  # a pre-built index to start from (the image's), else None
    forms_dir: Path
    timezone: ZoneInfo  # where the citizens live: 'tomorrow' in a form depends on it
    gateway_url: str  # the gateway's cases API (forms submit there)
    service_token: str
    search: SearchConfig
    torch_threads: int = 1
    kb_watch_s: float = DEFAULT_KB_WATCH_S  # poll the guides folder this often; 0: no watch

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ActionSettings:
        env = os.environ if environ is None else environ
        var_dir = Path(env.get("CIVIC_VAR_DIR") or PROJECT_ROOT / "var")
        guides = Path(env.get("CIVIC_GUIDES_DIR") or PROJECT_ROOT / "knowledge_base" / "guides")
        if not any(guides.glob("*/*.md")):
            raise ActionConfigError(f"CIVIC_GUIDES_DIR: no guides (<lang>/*.md) in {guides}")
        forms = Path(env.get("CIVIC_FORMS_DIR") or PROJECT_ROOT / "intents" / "forms")
        if not any(forms.glob("*.yml")):
            raise ActionConfigError(f"CIVIC_FORMS_DIR: no forms (*.yml) in {forms}")
        raw_threads = env.get("CIVIC_TORCH_THREADS") or "1"
        if not raw_threads.isdigit() or int(raw_threads) < 1:
            raise ActionConfigError(f"CIVIC_TORCH_THREADS must be >= 1, got {raw_threads!r}")
        return cls(
            port=_port(env.get("CIVIC_ACTIONS_PORT") or "5055"),
            guides_dir=guides,
            index_dir=Path(env.get("CIVIC_INDEX_DIR") or var_dir / "index" / "guides"),
            index_seed=Path(env["CIVIC_INDEX_SEED"]) if env.get("CIVIC_INDEX_SEED") else None,
            forms_dir=forms,
            timezone=_timezone(env.get("CIVIC_TIMEZONE") or "Asia/Shanghai"),
            gateway_url=_gateway_url(env.get("CIVIC_GATEWAY_URL") or "http://127.0.0.1:8000"),
            service_token=(env.get("CIVIC_SERVICE_TOKEN") or "").strip(),
            search=SearchConfig.from_env(env),
            torch_threads=int(raw_threads),
            kb_watch_s=_seconds(env.get("CIVIC_KB_WATCH_S") or str(DEFAULT_KB_WATCH_S)),
        )


def _port(raw: str) -> int:
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise ActionConfigError(f"CIVIC_ACTIONS_PORT must be a port number, got {raw!r}")
    return int(raw)


def _seconds(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 86400:  # (also NaN)
        raise ActionConfigError(
            f"CIVIC_KB_WATCH_S must be seconds between polls of the guides folder (0: no watch), "
            f"got {raw!r}"
        )
    return value


def _timezone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ActionConfigError(
            f"CIVIC_TIMEZONE must be a time zone like Asia/Shanghai, got {name!r}"
        ) from exc


def _gateway_url(raw: str) -> str:
    url = raw.strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise ActionConfigError(f"CIVIC_GATEWAY_URL must be an http(s) URL, got {url!r}")
    return url


_current: list[ActionSettings] = []


def configure(settings: ActionSettings) -> None:
    """The settings of this process (the server sets them before it listens)."""
    _current[:] = [settings]


def current() -> ActionSettings:
    """This process's settings; read from the environment on first use when no server set
    them (a test, a script)."""
    if not _current:
        configure(ActionSettings.from_env())
    return _current[0]
