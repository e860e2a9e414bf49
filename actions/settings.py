"""The action server's settings, read from the environment once."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ActionConfigError(Exception):
    """A setting of the action server is missing or malformed."""


@dataclass(frozen=True)
class ActionSettings:
    port: int
    guides_dir: Path
    index_dir: Path
    torch_threads: int = 1

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ActionSettings:
        env = os.environ if environ is None else environ
        raw_port = env.get("CIVIC_ACTIONS_PORT") or "5055"
        try:
            port = int(raw_port)
        except ValueError:
            raise ActionConfigError(
                f"CIVIC_ACTIONS_PORT must be a port number, got {raw_port!r}"
            ) from None
        var_dir = Path(env.get("CIVIC_VAR_DIR") or PROJECT_ROOT / "var")
        guides = Path(env.get("CIVIC_GUIDES_DIR") or PROJECT_ROOT / "knowledge_base" / "guides")
        if not guides.is_dir():
            raise ActionConfigError(f"CIVIC_GUIDES_DIR: {guides} is not a directory")
        index = Path(env.get("CIVIC_INDEX_DIR") or var_dir / "index" / "guides")
        raw_threads = env.get("CIVIC_TORCH_THREADS") or "1"
        if not raw_threads.isdigit() or int(raw_threads) < 1:
            raise ActionConfigError(f"CIVIC_TORCH_THREADS must be >= 1, got {raw_threads!r}")
        return cls(port=port, guides_dir=guides, index_dir=index, torch_threads=int(raw_threads))
