"""`civic up` as a citizen's operator sees it: a second Ctrl-C or TERM while it shuts down
still stops every process, and a process that exits at start shows its own error line (the
port hint only when its address is taken). Real processes, real signals."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from civic.processes import ManagedProcess, own_error_line
from civic.progress import StepFailed
from tests.conftest import ROOT

# a stand-in stack: four processes that ignore SIGTERM (they only go with SIGKILL), behind
# the real `civic up` (cli.cmd_up, Stack.down)
_CHILD = textwrap.dedent(
    """
    import sys
    from civic import cli, stack
    from civic.processes import ManagedProcess

    def build(self):
        for name in ("redis", "actions", "rasa", "gateway"):
            self.processes[name] = ManagedProcess(
                name, ["sh", "-c", "trap '' TERM INT; exec sleep 600"],
                self.config.var_dir / "log" / f"{name}.log", {}, self.config.root,
                lambda: True,
            )

    def up(self, quiet=False):
        for process in self.processes.values():
            process.start()
            print("pid", process.proc.pid, flush=True)

    stack.Stack._build = build
    stack.Stack.up = up
    sys.exit(cli.main(["up"]))
    """
)


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state == "Z"  # exited; its new parent has not reaped it yet


def _wait_for(predicate: object, what: str, timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            pytest.fail(f"still waiting for {what}")
        time.sleep(0.05)


@pytest.mark.parametrize("second", [signal.SIGINT, signal.SIGTERM])
def test_a_second_signal_during_shutdown_still_stops_everything(
    tmp_path: Path, second: signal.Signals
) -> None:
    env = {**os.environ, "CIVIC_VAR_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD], cwd=ROOT, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    assert child.stdout is not None
    pids: list[int] = []
    try:
        for line in child.stdout:
            if line.startswith("pid "):
                pids.append(int(line.split()[1]))
            if "Ctrl-C stops everything" in line:
                break
        assert len(pids) == 4
        child.send_signal(signal.SIGINT)
        for line in child.stdout:
            if line.startswith("Stopping"):
                break
        child.send_signal(second)  # the grace period of the first process is running
        output = child.stdout.read()
        assert child.wait(120) == 0, output
        assert "Traceback" not in output, output
        for pid in pids:
            _wait_for(lambda pid=pid: _gone(pid), f"process {pid} to end")  # type: ignore[misc]
    finally:
        for pid in pids:
            if not _gone(pid):
                os.kill(pid, signal.SIGKILL)
        child.kill()
        child.wait()


def _exits_at_start(tmp_path: Path, script: str) -> str:
    process = ManagedProcess(
        "gateway", [sys.executable, "-c", script], tmp_path / "gateway.log", dict(os.environ),
        tmp_path, lambda: False, fix_hint="check the setting the error names",
        port_hint="is port 8000 free? set CIVIC_PORT",
    )  # fmt: skip
    (tmp_path / "gateway.log").write_text("an earlier run's last line: OSError: earlier\n")
    process.start()
    with pytest.raises(StepFailed) as failed:
        process.wait_healthy(120)
    return str(failed.value)


def test_a_configuration_error_at_start_is_shown_as_the_process_wrote_it(
    tmp_path: Path,
) -> None:
    message = _exits_at_start(
        tmp_path,
        "import sys; print('INFO: starting'); "
        "sys.exit('bot.errors.ConfigError: CIVIC_API_KEYS: every key must be at least 16 "
        "characters long')",
    )
    assert "CIVIC_API_KEYS: every key must be at least 16 characters long" in message
    assert "port" not in message and "earlier" not in message
    assert "check the setting the error names" in message


def test_a_taken_port_is_still_named(tmp_path: Path) -> None:
    message = _exits_at_start(
        tmp_path,
        'import sys; print("ERROR: [Errno 98] error while attempting to bind on address '
        "('127.0.0.1', 8000): address already in use\"); sys.exit(1)",
    )
    assert "address already in use" in message and "is port 8000 free?" in message


def test_the_error_line_is_the_last_exception_else_the_last_error() -> None:
    traceback = "Traceback (most recent call last):\n  File x\nValueError: bad value\nbye\n"
    assert own_error_line(traceback) == "ValueError: bad value"
    assert own_error_line("loading\nfatal: cannot open guides\nshutting down\n") == (
        "fatal: cannot open guides"
    )
    assert own_error_line("just stopped\n") == "just stopped"
    assert own_error_line("") == ""
