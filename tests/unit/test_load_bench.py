"""civic/load_bench.py's arithmetic: Server-Timing parsing and the per-message own time."""

from __future__ import annotations

from typing import Any

import pytest

from civic import load_bench
from civic.load_bench import Sample, compare, ratio_ci, server_timing, summarise


def test_server_timing_reads_one_metric() -> None:
    assert server_timing("rasa;dur=12.5", "rasa") == 12.5
    assert server_timing('db;dur=1, rasa;desc="Rasa";dur=3', "rasa") == 3.0
    assert server_timing("db;dur=1", "rasa") is None
    assert server_timing("rasa;dur=abc", "rasa") is None
    assert server_timing("", "rasa") is None


def test_own_time_is_latency_less_the_wait_for_rasa_per_message() -> None:
    samples = [
        Sample("question", 30.0, True, 27.0),  # own 3
        Sample("question", 50.0, True, 45.0),  # own 5
        Sample("form", 10.0, True, 0.0),  # no Rasa call (a gateway-side turn): own 10
        Sample("question", 99.0, False, None),  # failed: not counted
    ]
    out = summarise(samples, wall_s=2.0)
    assert out["own_p50_ms"] == 5.0 and out["errors"] == 1 and out["msgs_per_s"] == 2.0
    assert out["p50_ms"] == 30.0  # the median of the three good ones
    assert "own_p50_ms" not in summarise([Sample("question", 30.0, True)], wall_s=1.0)


def test_targets_take_turns_going_first_round_by_round(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rounds of whole conversations, the targets' order rotating, the same seeds for all."""
    calls: list[tuple[str, int]] = []

    async def fake_run(target: str, base: str, n: int, turns: int, *_: Any, **kw: Any) -> Any:
        calls.append((target, kw["seed"]))
        return [Sample("question", 10.0, True)] * turns, 1.0

    monkeypatch.setattr(load_bench, "run", fake_run)
    urls = {"rasa_direct": "a", "proxy_floor": "b", "gateway": "c"}
    out = compare(urls, 8, 36, {}, 3.0)
    assert [t for t, _ in calls] == [
        "rasa_direct", "proxy_floor", "gateway",
        "proxy_floor", "gateway", "rasa_direct",
        "gateway", "rasa_direct", "proxy_floor",
    ]  # fmt: skip
    assert [seed for _, seed in calls] == [0, 0, 0, 1000, 1000, 1000, 2000, 2000, 2000]
    assert out["gateway"]["p50_ms"] == 10.0


def test_the_ratio_interval_covers_the_ratio_and_narrows_with_more_messages() -> None:
    import random

    rng = random.Random(5)
    direct = [rng.gauss(30, 8) for _ in range(300)]
    slower = [x * 1.2 for x in direct]  # every message 20% slower
    low, high = ratio_ci(slower, direct)  # type: ignore[misc]
    assert low < 1.2 < high and high - low < 0.3
    many = [rng.gauss(30, 8) for _ in range(3000)]
    low2, high2 = ratio_ci([x * 1.2 for x in many], many)  # type: ignore[misc]
    assert low2 < 1.2 < high2 and high2 - low2 < (high - low) / 2
    assert ratio_ci([], direct) is None


def test_compare_reports_each_ratios_interval(monkeypatch: pytest.MonkeyPatch) -> None:
    async def fake_run(target: str, base: str, n: int, turns: int, *_: Any, **kw: Any) -> Any:
        ms = 12.0 if target == "gateway" else 10.0
        return [Sample("question", ms + i % 3, True) for i in range(turns)], 1.0

    monkeypatch.setattr(load_bench, "run", fake_run)
    out = compare({"rasa_direct": "a", "gateway": "c"}, 8, 36, {}, 3.0)
    low, high = out["ratio_ci95"]["gateway"]
    assert 1.0 < low <= 13 / 11 <= high < 1.4  # medians 13 and 11 ms
    assert set(out["ratio_ci95"]) == {"gateway"}
