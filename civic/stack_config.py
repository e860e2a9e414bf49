"""What the assistant's processes are started with (civic/stack.py starts them): the ports, the
data directory, Redis and the database, the API keys and the service token, from the
environment (`civic up`) or on free loopback ports (the benchmarks)."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from civic.ports import free_port
from civic.progress import StepFailed

ROOT = Path(__file__).resolve().parent.parent


def _port(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name) or str(default)
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise StepFailed("reading the configuration", f"{name} must be a port number, got {raw!r}")
    return int(raw)


@dataclass
class StackConfig:
    root: Path
    var_dir: Path
    gateway_port: int
    rasa_port: int
    actions_port: int
    embedded_redis_port: int
    redis_url: str | None
    database_url: str | None
    api_keys: str
    service_token: str
    extra_env: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, root: Path = ROOT, environ: dict[str, str] | None = None) -> StackConfig:
        env = dict(os.environ if environ is None else environ)
        var_dir = Path(env.get("CIVIC_VAR_DIR") or root / "var").resolve()
        check_writable(var_dir)
        dev = dev_secrets(var_dir)
        return cls(
            root=root,
            var_dir=var_dir,
            gateway_port=_port(env, "CIVIC_PORT", 8000),
            rasa_port=_port(env, "RASA_PORT", 5005),
            actions_port=_port(env, "CIVIC_ACTIONS_PORT", 5055),
            embedded_redis_port=_port(env, "CIVIC_EMBEDDED_REDIS_PORT", 6390),
            redis_url=env.get("REDIS_URL") or None,
            database_url=env.get("DATABASE_URL") or None,
            api_keys=env.get("CIVIC_API_KEYS") or dev["api_key"],
            service_token=env.get("CIVIC_SERVICE_TOKEN") or dev["service_token"],
        )


def local_config(var_dir: Path, api_key: str, **extra_env: str) -> StackConfig:
    """A whole stack on free loopback ports (benchmarks): REDIS_URL / DATABASE_URL when set,
    else embedded Redis and SQLite; the guide index shared under var/index/guides."""
    return StackConfig(
        root=ROOT,
        var_dir=var_dir,
        gateway_port=free_port(),
        rasa_port=free_port(),
        actions_port=free_port(),
        embedded_redis_port=free_port(),
        redis_url=os.environ.get("REDIS_URL") or None,
        database_url=os.environ.get("DATABASE_URL") or None,
        api_keys=api_key,
        service_token=secrets.token_urlsafe(24),
        extra_env={"CIVIC_INDEX_DIR": str(ROOT / "var" / "index" / "guides"), **extra_env},
    )


def check_writable(var_dir: Path) -> None:
    """var/ must exist and be writable: say so clearly at start, not at the first message."""
    probe = var_dir / ".write-test"
    try:
        var_dir.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"x" * 4096)
        probe.unlink()
    except OSError as exc:
        raise StepFailed(
            "checking the data directory",
            f"{var_dir} is not writable ({exc.strerror or exc})",
            fix="free disk space or fix the permissions, or point CIVIC_VAR_DIR elsewhere",
        ) from exc


def dev_secrets(var_dir: Path) -> dict[str, str]:
    """A development API key and service token, made once and kept in var/dev-secrets.json."""
    path = var_dir / "dev-secrets.json"
    if path.exists():
        data: dict[str, str] = json.loads(path.read_text())
        return data
    data = {
        "api_key": "dev-" + secrets.token_urlsafe(24),
        "service_token": secrets.token_urlsafe(32),
    }
    path.write_text(json.dumps(data))
    path.chmod(0o600)
    return data
