"""A pipeline's replies by name instead of by position.

The router sends a turn's Redis commands in two pipelines filled by several helpers (the
session, the turn lock, the rate limit, the delivery ledger). Each reply it reads is named
when its command is queued, so that a helper queuing one more command shifts nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol


class Queue(Protocol):
    def __len__(self) -> int: ...


class Replies:
    def __init__(self, pipe: Queue) -> None:
        self._pipe = pipe
        self._at: dict[str, int] = {}

    def next(self, name: str) -> None:
        """The next command queued on the pipeline answers `name`."""
        self._at[name] = len(self._pipe)

    def read(self, results: Sequence[Any]) -> dict[str, Any]:
        """The named replies out of the pipeline's results."""
        return {name: results[at] for name, at in self._at.items()}
