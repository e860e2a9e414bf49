"""A read-only or full data directory stops `civic up` at once with a message naming it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def mounted(tmp_path: Path) -> Iterator[Path]:
    """A small tmpfs we can make read-only or fill up (needs root, as on CI)."""
    target = tmp_path / "var"
    target.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    yield target
    subprocess.run(["umount", str(target)], check=False)


def mount(target: Path, options: str) -> None:
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"mount not permitted here: {done.stderr.decode().strip()}")


def civic_up(var_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CIVIC_VAR_DIR": str(var_dir), "CIVIC_PORT": "1"}
    return subprocess.run(
        [sys.executable, "-m", "civic.cli", "up"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_read_only_var_dir(mounted: Path) -> None:
    mount(mounted, "ro,size=1m")
    result = civic_up(mounted)
    assert result.returncode == 1
    assert f"{mounted} is not writable" in result.stderr
    assert "Read-only file system" in result.stderr
    assert "Traceback" not in result.stderr


def test_full_var_dir(mounted: Path) -> None:
    mount(mounted, "size=8k")
    (mounted / "filler").write_bytes(b"x" * 4096)  # the rest of the 8 KiB
    with pytest.raises(OSError):
        (mounted / "more").write_bytes(b"x" * 8192)
    result = civic_up(mounted)
    assert result.returncode == 1
    assert f"{mounted} is not writable" in result.stderr
    assert "No space left on device" in result.stderr
