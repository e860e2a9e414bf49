"""Child processes of the launcher: started in their own process group, logged to var/log,
waited on until healthy, stopped without leaving orphans."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from civic.progress import StepFailed


def http_ok(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (loopback URL we built)
            return 200 <= int(response.status) < 300
    except (urllib.error.URLError, OSError, ValueError):
        return False


@dataclass
class ManagedProcess:
    name: str
    argv: Sequence[str]
    log_path: Path
    env: Mapping[str, str]
    cwd: Path
    healthy: Callable[[], bool]
    fix_hint: str = ""  # the likely fix when the process exits at start
    port_hint: str = ""  # ... when its log says its address is in use
    proc: subprocess.Popen[bytes] | None = field(default=None, init=False)
    _log_start: int = field(default=0, init=False)

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self._log_start = log.tell()
        self.proc = subprocess.Popen(
            list(self.argv),
            cwd=self.cwd,
            env=dict(self.env),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()

    def wait_healthy(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise self._exited(self.proc.returncode)
            if self.healthy():
                return
            time.sleep(0.25)
        raise StepFailed(
            f"starting {self.name}",
            f"not healthy after {timeout_s:.0f} s",
            str(self.log_path),
            self.fix_hint or None,
        )

    def _exited(self, code: int) -> StepFailed:
        """The process's own error line from its log (what it wrote since this start), and the
        port hint only when the log says the address is taken."""
        try:
            with self.log_path.open("rb") as log:
                log.seek(self._log_start)
                written = log.read().decode(errors="replace")
        except OSError:
            written = ""
        line = own_error_line(written)
        in_use = bool(_ADDRESS_IN_USE.search(written))
        return StepFailed(
            f"starting {self.name}",
            f"the process exited with code {code}" + (f": {line}" if line else ""),
            str(self.log_path),
            (self.port_hint if in_use else self.fix_hint) or None,
        )

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, grace_s: float = 10.0, hurry: threading.Event | None = None) -> None:
        """SIGTERM the whole process group, SIGKILL what is left after the grace period (at
        once when `hurry` is set: a second Ctrl-C). Stopping a stopped process does nothing."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            deadline = time.monotonic() + grace_s
            while self.proc.poll() is None and time.monotonic() < deadline:
                if hurry is not None and hurry.is_set():
                    break
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.proc.wait(0.1)
            if self.proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)  # stragglers of the group
        self.proc = None

    def kill(self) -> None:
        """Kill abruptly (for fault tests): no clean shutdown."""
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)
        self.proc = None


_ADDRESS_IN_USE = re.compile(r"address already in use|Errno 98\b", re.IGNORECASE)
_EXCEPTION = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Failed)\b.*")
_ERROR = re.compile(r"\b(error|fatal|failed|refused|cannot|can't)\b", re.IGNORECASE)


def own_error_line(log: str) -> str:
    """The line of a process's log that says why it stopped: its last exception line (a
    Python traceback ends with it), else its last line that reads as an error, else its last
    line."""
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    for pattern in (_EXCEPTION, _ERROR):
        found = [line for line in lines if pattern.search(line)]
        if found:
            return found[-1][:300]
    return lines[-1][:300] if lines else ""
