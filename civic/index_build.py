"""The knowledge-base index, built (or found up to date) before the action server starts.

The first build embeds every guide with each search model: minutes on a small machine. Done
as its own step, `civic up` says what it is doing and the action server's health wait (which
also catches a server that hangs) does not have to cover it. A file lock beside the index makes
concurrent callers (two stacks sharing one index) build it once."""

from __future__ import annotations

import fcntl
import subprocess
import sys
from pathlib import Path

from civic.progress import StepFailed, step


def index_paths(env: dict[str, str], root: Path) -> tuple[Path, Path]:
    """(guides, index) as the action server finds them (actions/settings.py)."""
    var_dir = Path(env.get("CIVIC_VAR_DIR") or root / "var")
    guides = Path(env.get("CIVIC_GUIDES_DIR") or root / "knowledge_base" / "guides")
    index = Path(env.get("CIVIC_INDEX_DIR") or var_dir / "index" / "guides")
    return guides, index


def build_index(env: dict[str, str], root: Path, log_path: Path, quiet: bool = False) -> None:
    """Run `civic kb build` for the stack's guides and index; the index is reused when its
    manifest matches (a second start takes seconds) and only changed guides are embedded."""
    guides, index = index_paths(env, root)
    index.parent.mkdir(parents=True, exist_ok=True)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "civic.cli", "kb", "--guides", str(guides)]
    argv += ["--index", str(index), "build"]
    with (index.parent / ".build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with step("Building the knowledge-base index (the first time takes minutes)", quiet):
            with log_path.open("ab") as log:
                done = subprocess.run(
                    argv, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, check=False
                )
            if done.returncode != 0:
                raise StepFailed(
                    "building the knowledge-base index",
                    f"`civic kb build` exited with {done.returncode}",
                    str(log_path),
                    "a malformed guide is named in the log",
                )
