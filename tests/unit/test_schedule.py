"""`civic up`'s background jobs: retention daily, clustering every CIVIC_CLUSTER_EVERY_MIN
minutes (civic/schedule.py), never two runs of one job at once."""

from __future__ import annotations

import subprocess
from typing import Any, cast

import pytest

from civic.cli import _background_jobs, build_parser
from civic.progress import StepFailed
from civic.schedule import CLUSTER_FIRST_S, DAY_S, PeriodicJob, cluster_every_s, describe
from civic.stack import Stack


class FakeRun:
    def __init__(self) -> None:
        self.code: int | None = None

    def poll(self) -> int | None:
        return self.code


def _job(every_s: float, first_at: float) -> tuple[PeriodicJob, list[FakeRun]]:
    started: list[FakeRun] = []

    def start() -> subprocess.Popen[bytes]:
        started.append(FakeRun())
        return cast("subprocess.Popen[bytes]", started[-1])

    return PeriodicJob("clustering", every_s, first_at, start), started


def test_runs_when_due_and_never_overlaps() -> None:
    job, started = _job(3600, 300)
    assert not job.poll(299) and started == []
    assert job.poll(300) and len(started) == 1 and job.next_at == 3900
    assert not job.poll(3900)  # the first run is still going: the second waits for it
    started[0].code = 0
    assert job.poll(3901) and len(started) == 2 and job.next_at == 7500


def test_missed_runs_are_skipped_not_queued() -> None:
    job, started = _job(3600, 300)
    assert job.poll(300 + 5 * 3600 + 10)  # e.g. a laptop suspended for five hours
    assert job.next_at == 300 + 6 * 3600 and len(started) == 1


def test_cluster_interval_from_the_environment() -> None:
    assert cluster_every_s({}) == 3600
    assert cluster_every_s({"CIVIC_CLUSTER_EVERY_MIN": "15"}) == 900
    assert cluster_every_s({"CIVIC_CLUSTER_EVERY_MIN": "0"}) is None
    for wrong in ("-5", "1.5", "hourly", "99999"):
        with pytest.raises(StepFailed, match="CIVIC_CLUSTER_EVERY_MIN"):
            cluster_every_s({"CIVIC_CLUSTER_EVERY_MIN": wrong})


class FakeStack:
    def __init__(self, env: dict[str, str]) -> None:
        self._env = env
        self.ran: list[tuple[str, list[str]]] = []

    def env(self) -> dict[str, str]:
        return self._env

    def run_job(self, name: str, args: list[str]) -> Any:
        self.ran.append((name, args))
        return FakeRun()


def test_civic_up_schedules_retention_daily_and_clustering_hourly() -> None:
    stack = FakeStack({})
    jobs = {j.name: j for j in _background_jobs(cast(Stack, stack))}
    assert jobs["retention"].every_s == DAY_S
    assert jobs["clustering"].every_s == 3600
    start = jobs["clustering"].next_at - CLUSTER_FIRST_S
    assert describe(jobs["clustering"], start, "var/log/clustering.log") == (
        "every 60 min, 5 min from now (var/log/clustering.log)"
    )
    assert describe(jobs["retention"], start, "x").startswith("daily, 10 min from now")
    for job in jobs.values():
        job.poll(job.next_at)
    assert dict(stack.ran) == {
        "retention": ["retention", "run", "--json"],
        "clustering": ["insights", "cluster", "--json"],
    }
    for _name, args in stack.ran:  # commands the command line accepts
        assert build_parser().parse_args(args).func is not None
    off = FakeStack({"CIVIC_CLUSTER_EVERY_MIN": "0"})
    assert [j.name for j in _background_jobs(cast(Stack, off))] == ["retention"]
