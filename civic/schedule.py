"""The background jobs `civic up` runs on a schedule (a cluster has CronJobs instead):

- retention that forgets, once a day (the first run 10 minutes after start-up);
- `civic insights cluster`, every CIVIC_CLUSTER_EVERY_MIN minutes (60; 0 turns it off), the
  first run 5 minutes after start-up. It loads the knowledge base's models in its own process,
  never in the gateway.

A job is started only when its previous run has finished; a run that is still going when the
next is due makes that one wait for it (no overlapping runs)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from civic.progress import StepFailed

RETENTION_FIRST_S = 600  # the first daily retention run, after start-up has settled
CLUSTER_FIRST_S = 300
DAY_S = 86400


def cluster_every_s(env: Mapping[str, str]) -> int | None:
    """CIVIC_CLUSTER_EVERY_MIN as seconds (None: clustering off)."""
    raw = (env.get("CIVIC_CLUSTER_EVERY_MIN") or "60").strip()
    if not raw.isdigit() or int(raw) > 10080:
        raise StepFailed(
            "reading the configuration",
            f"CIVIC_CLUSTER_EVERY_MIN must be whole minutes from 0 to 10080, got {raw!r}",
        )
    minutes = int(raw)
    return minutes * 60 if minutes else None


@dataclass
class PeriodicJob:
    name: str
    every_s: float
    next_at: float  # on the monotonic clock
    start: Callable[[], subprocess.Popen[bytes]]
    running: subprocess.Popen[bytes] | None = None
    runs: int = 0

    def poll(self, now: float) -> bool:
        """Start the job if it is due and not still running; True when it started."""
        if now < self.next_at or (self.running is not None and self.running.poll() is None):
            return False
        self.running = self.start()
        self.runs += 1
        while self.next_at <= now:  # a long run or a suspended laptop skips missed runs
            self.next_at += self.every_s
        return True


def describe(job: PeriodicJob, now: float, log: str) -> str:
    every = "daily" if job.every_s == DAY_S else f"every {job.every_s / 60:g} min"
    return f"{every}, {max(0, job.next_at - now) / 60:.0f} min from now ({log})"
