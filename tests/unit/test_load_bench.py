"""bench/load_bench.py and bench/stats.py: Server-Timing parsing, the per-message own time, the
targets interleaved message by message (against real HTTP servers), and the paired comparison
with Rasa direct."""

from __future__ import annotations

import asyncio
import itertools
import json
import statistics
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web

from bench import load_bench
from bench.load_bench import compare
from bench.stats import Sample, added_ms, paired, ratio_ci, report_of, server_timing, summarise
from tests.conftest import free_port


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


@dataclass
class Targets:
    """Two HTTP servers in a thread: one answers as Rasa's REST webhook, the other as the
    gateway's REST API; every request is logged (target, conversation, text, arrival)."""

    urls: dict[str, str]
    log: list[tuple[str, str, str, float]] = field(default_factory=list)


RASA_S, GATEWAY_ADDS_S = 0.005, 0.004  # the stand-ins' answer times


@pytest.fixture
def targets() -> Iterator[Targets]:
    ports = {"rasa": free_port(), "gateway": free_port()}
    out = Targets({"rasa_direct": f"http://127.0.0.1:{ports['rasa']}",
                   "gateway": f"http://127.0.0.1:{ports['gateway']}",
                   "rasa_direct_again": f"http://127.0.0.1:{ports['rasa']}"})  # fmt: skip
    loop = asyncio.new_event_loop()
    runners: list[web.AppRunner] = []

    async def webhook(request: web.Request) -> web.Response:
        body = await request.json()
        target = body["sender"].split("-")[1]
        out.log.append((target, body["sender"], body["message"], time.monotonic()))
        await asyncio.sleep(RASA_S)
        return web.json_response([{"text": "ok"}])

    async def api(request: web.Request) -> web.Response:
        body = await request.json()
        cid = request.match_info["cid"]
        assert request.headers["Authorization"] == f"Bearer {load_bench.API_KEY}"
        out.log.append(("gateway", cid, body["text"], time.monotonic()))
        await asyncio.sleep(RASA_S + GATEWAY_ADDS_S)
        return web.json_response({"replies": []}, headers={"Server-Timing": "rasa;dur=5"})

    async def start() -> None:
        routes = {"rasa": ("/webhooks/rest/webhook", webhook),
                  "gateway": ("/api/v1/conversations/{cid}/messages", api)}  # fmt: skip
        for name, (path, handler) in routes.items():
            app = web.Application()
            app.router.add_post(path, handler)
            runner = web.AppRunner(app)
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", ports[name]).start()
            runners.append(runner)

    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(start(), loop).result(10)
    yield out
    for runner in runners:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


QS = {"en": [f"question {i}" for i in range(40)], "zh": [f"问题 {i}" for i in range(40)]}


def test_targets_are_interleaved_message_by_message(targets: Targets) -> None:
    """Each turn's text goes to every target, one after the other, each target on its own
    conversation with the citizen; the order rotates from turn to turn."""
    samples, _ = asyncio.run(load_bench.run(targets.urls, 1, 26, QS, think_s=0.005))
    log = sorted(targets.log, key=lambda row: row[3])
    assert len(log) == 3 * 26 and all(s.ok for ss in samples.values() for s in ss)
    turns = [log[i : i + 3] for i in range(0, len(log), 3)]
    assert all(len({text for _, _, text, _ in turn}) == 1 for turn in turns)  # the same text
    assert all({t for t, *_ in turn} == set(targets.urls) for turn in turns)  # to each target
    assert {turn[0][0] for turn in turns} == set(targets.urls)  # each goes first in some turn
    assert len({turn[0][0] for turn in turns[:3]}) == 3  # rotating: three turns, three firsts
    conversations = {(t, cid) for t, cid, *_ in log}
    assert len(conversations) == 3 * 3  # 26 turns: 12 + 12 + 2, a new citizen every 12
    # a message is only sent when the one before it (to whichever target) was answered
    assert all(b[3] - a[3] >= RASA_S for a, b in itertools.pairwise(log))


def test_the_kth_samples_of_all_targets_are_the_same_turn(targets: Targets) -> None:
    samples, _ = asyncio.run(load_bench.run(targets.urls, 3, 30, QS, think_s=0.002))
    assert {t: len(s) for t, s in samples.items()} == dict.fromkeys(targets.urls, 90)
    kinds = {t: [s.kind for s in ss] for t, ss in samples.items()}
    assert kinds["gateway"] == kinds["rasa_direct"] == kinds["rasa_direct_again"]
    assert len(set(kinds["gateway"])) > 1  # a mix, not one kind everywhere
    # and the texts each target received are the same, conversation by conversation
    texts: dict[str, dict[str, list[str]]] = {}
    for target, cid, text, _ in sorted(targets.log, key=lambda row: row[3]):
        texts.setdefault(target, {}).setdefault(cid, []).append(text)
    assert sorted(texts["gateway"].values()) == sorted(texts["rasa_direct"].values())


def test_interleaving_measures_what_a_target_adds(targets: Targets) -> None:
    """Over real HTTP: the 'gateway' answers 4 ms later than 'Rasa'; the comparison finds
    about that much, and Rasa against itself about nothing."""
    out = compare(targets.urls, 4, 24, QS, 0.005)
    added = out["added_ms"]["gateway"]
    assert added is not None and 3.0 < added["median"] < 6.0
    null = out["added_ms"]["rasa_direct_again"]
    assert null is not None and abs(null["median"]) < 1.0
    assert out["gateway"]["errors"] == 0 and out["gateway"]["own_p50_ms"] > 3.0
    assert json.dumps(out)  # the report is plain JSON


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
    async def fake_run(urls: dict[str, str], n: int, turns: int, *_: Any, **kw: Any) -> Any:
        ms = {t: 12.0 if t == "gateway" else 10.0 for t in urls}
        return {
            t: [Sample("question", ms[t] + i % 3, True) for i in range(turns)] for t in urls
        }, 1.0

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

    async def fake_run(urls: dict[str, str], n: int, turns: int, *_: Any, **kw: Any) -> Any:
        extra = {"gateway": 3.0, "proxy_floor": 1.0}
        return {
            t: [Sample("question", 30.0 + extra.get(t, 0.0) + i % 5, True) for i in range(turns)]
            for t in urls
        }, 1.0

    monkeypatch.setattr(load_bench, "run", fake_run)
    urls = {"rasa_direct": "a", "proxy_floor": "b", "gateway": "c", "rasa_direct_again": "a"}
    runs = [{"n": 8, **compare(urls, 8, 24, {}, 3.0)}]
    report = report_of(runs, {"total": 1800.0}, 20.0, 3000)
    direct = statistics.median(30.0 + i % 5 for i in range(24))  # 32 ms
    assert report["overhead_ratio"] == round((direct + 3) / direct, 3)
    assert report["overhead_added_ms"]["median"] == 3.0
    assert report["floor_ratio"] == round((direct + 1) / direct, 3)
    assert report["floor_added_ms"]["median"] == 1.0
    assert report["null_ratio"] == 1.0 and report["null_ratio_ci95"] == [1.0, 1.0]
    assert report["null_added_ms"]["median"] == 0.0
    assert {"runs", "rss_mb", "startup_s", "overhead_ratio_ci95"} <= set(report)
    without = report_of(
        [{"n": 8, **compare({"rasa_direct": "a", "gateway": "c"}, 8, 24, {}, 3.0)}], {}, 1.0, 0
    )
    assert not any(k.startswith(("floor_", "null_")) for k in without)
