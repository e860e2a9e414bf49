"""Progress lines for long steps: what is happening, how long it took, what failed."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from common.errors import CivicError


class StepFailed(CivicError):
    """A launcher step failed; the message names the step, the log file and the likely fix."""

    def __init__(self, step: str, reason: str, log: str | None = None, fix: str | None = None):
        parts = [f"{step} failed: {reason}"]
        if log:
            parts.append(f"log file: {log}")
        if fix:
            parts.append(f"likely fix: {fix}")
        super().__init__("\n  ".join(parts))


@contextmanager
def step(title: str, quiet: bool = False) -> Iterator[None]:
    """Print `title ...`, a heartbeat every 10 s while it runs, and `done in N s`."""
    started = time.monotonic()
    stop = threading.Event()
    out = sys.stderr
    if not quiet:
        print(f"▸ {title} ...", file=out, flush=True)

    def heartbeat() -> None:
        while not stop.wait(10):
            print(f"  ... {title}: {time.monotonic() - started:.0f} s", file=out, flush=True)

    ticker = threading.Thread(target=heartbeat, daemon=True)
    if not quiet:
        ticker.start()
    try:
        yield
    except BaseException:
        stop.set()
        if not quiet:
            print(
                f"✗ {title} failed after {time.monotonic() - started:.1f} s", file=out, flush=True
            )
        raise
    stop.set()
    if not quiet:
        print(f"✓ {title}: done in {time.monotonic() - started:.1f} s", file=out, flush=True)
