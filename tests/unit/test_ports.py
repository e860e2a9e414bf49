"""civic/ports.py: ports for servers started later, chosen where outgoing connections never go."""

from __future__ import annotations

import random
import socket
from pathlib import Path

import pytest

from civic import ports


def test_ports_lie_below_the_ephemeral_range_are_bindable_and_not_repeated() -> None:
    low, high = ports.ephemeral_range()
    assert 1024 <= low < high <= 65535
    chosen = [ports.free_port() for _ in range(50)]
    assert len(set(chosen)) == 50
    for port in chosen:
        assert port < low
        with socket.socket() as s:
            s.bind(("127.0.0.1", port))  # nobody listens there: it binds


class _FirstThen(random.Random):
    """Chooses `first` once, then at random."""

    def __init__(self, first: int) -> None:
        super().__init__(1)
        self.first: int | None = first

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:  # type: ignore[override]
        if self.first is not None:
            first, self.first = self.first, None
            return first
        return super().randrange(start, stop, step)


def test_a_port_something_listens_on_is_skipped() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", ports.free_port()))
        busy.listen()
        taken = busy.getsockname()[1]
        got = ports.free_port(_FirstThen(taken))
        assert got != taken and got < ports.ephemeral_range()[0]


def test_the_kernels_range_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "range"
    path.write_text("40000\t50000\n")
    monkeypatch.setattr(ports, "_RANGE_FILE", path)
    assert ports.ephemeral_range() == (40000, 50000)
    assert all(20000 <= ports.free_port() < 40000 for _ in range(20))
    path.write_text("garbage")
    assert ports.ephemeral_range() == (32768, 60999)
