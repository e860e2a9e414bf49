"""civic/load_bench.py's arithmetic: Server-Timing parsing, the per-message own time, the
rounds, and the paired comparison with Rasa direct."""

from __future__ import annotations

import statistics
from typing import Any

import pytest

from civic import load_bench
from civic.load_bench import (
    Sample,
    added_ms,
    compare,
    paired,
    ratio_ci,
    server_timing,
    summarise,
)


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
    slower = [x * 1.2 + rng.gauss(0, 3) for x in direct]  # every message about 20% slower
    low, high = ratio_ci(list(zip(slower, direct, strict=True)))  # type: ignore[misc]
    assert low < 1.2 < high and high - low < 0.2
    many = [rng.gauss(30, 8) for _ in range(3000)]
    pairs = [(x * 1.2 + rng.gauss(0, 3), x) for x in many]
    low2, high2 = ratio_ci(pairs)  # type: ignore[misc]
    assert low2 < 1.2 < high2 and high2 - low2 < (high - low) / 2
    assert ratio_ci([]) is None


def test_pairing_the_same_messages_narrows_the_interval() -> None:
    """A message's own cost is on both sides of a pair; broken pairs (each side drawn on its
    own, as two unrelated samples) give the wide interval of two independent medians."""
    import random

    rng = random.Random(7)
    direct = [rng.lognormvariate(3.4, 0.4) for _ in range(400)]
    gateway = [x + 1.5 + rng.gauss(0, 0.5) for x in direct]
    low, high = ratio_ci(list(zip(gateway, direct, strict=True)))  # type: ignore[misc]
    shuffled = direct[:]
    rng.shuffle(shuffled)
    low_u, high_u = ratio_ci(list(zip(gateway, shuffled, strict=True)))  # type: ignore[misc]
    assert high - low < (high_u - low_u) / 3


def test_added_ms_is_the_median_difference_of_the_same_messages() -> None:
    import random

    rng = random.Random(3)
    direct = [rng.lognormvariate(3.4, 0.5) for _ in range(600)]  # about 30 ms, widely spread
    gateway = [x + 2.0 + rng.gauss(0, 0.4) for x in direct]  # each message 2 ms later
    out = added_ms(list(zip(gateway, direct, strict=True)))
    assert out is not None
    assert abs(out["median"] - 2.0) < 0.15
    low, high = out["ci95"]
    assert low < 2.0 < high and high - low < 0.3
    assert out["share_of_direct_p50"] == pytest.approx(
        out["median"] / statistics.median(direct), abs=0.001
    )
    assert added_ms([]) is None


def test_pairs_are_the_same_turn_and_skip_failures() -> None:
    gateway = [Sample("question", 12.0, True), Sample("form", 30.0, False), Sample("q", 9.0, True)]
    direct = [Sample("question", 10.0, True), Sample("form", 20.0, True), Sample("q", 8.0, False)]
    assert paired(gateway, direct) == [(12.0, 10.0)]


def test_compare_reports_each_ratios_interval(monkeypatch: pytest.MonkeyPatch) -> None:
    async def fake_run(target: str, base: str, n: int, turns: int, *_: Any, **kw: Any) -> Any:
        ms = 12.0 if target == "gateway" else 10.0
        return [Sample("question", ms + i % 3, True) for i in range(turns)], 1.0

    monkeypatch.setattr(load_bench, "run", fake_run)
    out = compare({"rasa_direct": "a", "gateway": "c"}, 8, 36, {}, 3.0)
    low, high = out["ratio_ci95"]["gateway"]
    assert 1.0 < low <= 13 / 11 <= high < 1.4  # medians 13 and 11 ms
    assert set(out["ratio_ci95"]) == {"gateway"}
    assert out["added_ms"]["gateway"] == {
        "median": 2.0, "ci95": [2.0, 2.0], "share_of_direct_p50": round(2 / 11, 3)
    }  # fmt: skip


def test_the_report_has_the_issues_keys_and_the_extra_targets_figures(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Rasa direct twice (--null) and the bare forwarder beside the gateway: each compared
    with Rasa direct the same way, under its own key prefix."""

    async def fake_run(target: str, base: str, n: int, turns: int, *_: Any, **kw: Any) -> Any:
        extra = {"gateway": 3.0, "proxy_floor": 1.0}.get(target, 0.0)
        return [Sample("question", 30.0 + extra + i % 5, True) for i in range(turns)], 1.0

    monkeypatch.setattr(load_bench, "run", fake_run)
    urls = {"rasa_direct": "a", "proxy_floor": "b", "gateway": "c", "rasa_direct_again": "a"}
    runs = [{"n": 8, **compare(urls, 8, 24, {}, 3.0)}]
    report = load_bench.report_of(runs, {"total": 1800.0}, 20.0, 3000)
    assert report["overhead_ratio"] == round(34.5 / 31.5, 3)  # medians of 30 + 0..4, turn by turn
    assert report["overhead_added_ms"]["median"] == 3.0
    assert (
        report["floor_ratio"] == round(32.5 / 31.5, 3) and report["floor_added_ms"]["median"] == 1.0
    )
    assert report["null_ratio"] == 1.0 and report["null_ratio_ci95"] == [1.0, 1.0]
    assert report["null_added_ms"]["median"] == 0.0
    assert {"runs", "rss_mb", "startup_s", "overhead_ratio_ci95"} <= set(report)
    without = load_bench.report_of(
        [{"n": 8, **compare({"rasa_direct": "a", "gateway": "c"}, 8, 24, {}, 3.0)}], {}, 1.0, 0
    )
    assert not any(k.startswith(("floor_", "null_")) for k in without)
