"""bench/load_bench.py and bench/stats.py: Server-Timing parsing, the per-message own time, the
targets interleaved message by message (against real HTTP servers), the paired comparison
with Rasa direct and the targets the gateway is held to. Nothing here depends on how fast
this machine is: the order of events is checked, never their duration."""

from __future__ import annotations

import asyncio
import json
import statistics
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web

from bench import load_bench
from bench.load_bench import compare
from bench.stats import Sample, added_ms, paired, report_of, server_timing, summarise, targets_of
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
    gateway's REST API; every request is logged (target, conversation, text, event number)
    when it arrives, and its answer when it leaves (as "answered")."""

    urls: dict[str, str]
    log: list[tuple[str, str, str, int]] = field(default_factory=list)

    def event(self, target: str, cid: str, text: str) -> None:
        self.log.append((target, cid, text, len(self.log)))


@pytest.fixture
def targets() -> Iterator[Targets]:
    ports = {"rasa": free_port(), "gateway": free_port()}
    out = Targets({"rasa_direct": f"http://127.0.0.1:{ports['rasa']}",
                   "gateway": f"http://127.0.0.1:{ports['gateway']}"})  # fmt: skip
    loop = asyncio.new_event_loop()
    runners: list[web.AppRunner] = []

    async def webhook(request: web.Request) -> web.Response:
        body = await request.json()
        target = body["sender"].split("-")[1]
        out.event(target, body["sender"], body["message"])
        await asyncio.sleep(0)
        out.event("answered", body["sender"], body["message"])
        return web.json_response([{"text": "ok"}])

    async def api(request: web.Request) -> web.Response:
        body = await request.json()
        cid = request.match_info["cid"]
        assert request.headers["Authorization"] == f"Bearer {load_bench.API_KEY}"
        out.event("gateway", cid, body["text"])
        await asyncio.sleep(0)
        out.event("answered", cid, body["text"])
        return web.json_response({"replies": []}, headers={"Server-Timing": "rasa;dur=0.5"})

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
    samples, _ = asyncio.run(load_bench.run(targets.urls, 1, 26, QS, think_s=0.001))
    arrivals = [row for row in targets.log if row[0] != "answered"]
    assert len(arrivals) == 2 * 26 and all(s.ok for ss in samples.values() for s in ss)
    turns = [arrivals[i : i + 2] for i in range(0, len(arrivals), 2)]
    assert all(len({text for _, _, text, _ in turn}) == 1 for turn in turns)  # the same text
    assert all({t for t, *_ in turn} == set(targets.urls) for turn in turns)  # to each target
    assert [turn[0][0] for turn in turns[:2]] == ["rasa_direct", "gateway"]  # rotating
    conversations = {(t, cid) for t, cid, *_ in arrivals}
    assert len(conversations) == 2 * 3  # 26 turns: 12 + 12 + 2, a new citizen every 12
    # one line: a message is only sent when the one before it (to either target) was answered
    kinds = ["answered" if row[0] == "answered" else "sent" for row in targets.log]
    assert kinds == ["sent", "answered"] * 26 * 2


def test_the_kth_samples_of_all_targets_are_the_same_turn(targets: Targets) -> None:
    samples, _ = asyncio.run(load_bench.run(targets.urls, 3, 30, QS, think_s=0.001))
    assert {t: len(s) for t, s in samples.items()} == dict.fromkeys(targets.urls, 90)
    kinds = {t: [s.kind for s in ss] for t, ss in samples.items()}
    assert kinds["gateway"] == kinds["rasa_direct"]
    assert len(set(kinds["gateway"])) > 1  # a mix, not one kind everywhere
    # and the texts each target received are the same, conversation by conversation
    texts: dict[str, dict[str, list[str]]] = {}
    for target, cid, text, _ in targets.log:
        if target != "answered":
            texts.setdefault(target, {}).setdefault(cid, []).append(text)
    assert sorted(texts["gateway"].values()) == sorted(texts["rasa_direct"].values())
    # the gateway's replies said how long Rasa took: its own time is measured on each
    assert all(s.rasa_ms == 0.5 for s in samples["gateway"])
    assert all(s.rasa_ms is None for s in samples["rasa_direct"])


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


def test_compare_reports_what_the_gateway_adds(monkeypatch: pytest.MonkeyPatch) -> None:
    async def fake_run(urls: dict[str, str], n: int, turns: int, *_: Any, **kw: Any) -> Any:
        ms = {t: 12.0 if t == "gateway" else 10.0 for t in urls}
        return {
            t: [Sample("question", ms[t] + i % 3, True) for i in range(turns)] for t in urls
        }, 1.0

    monkeypatch.setattr(load_bench, "run", fake_run)
    out = compare({"rasa_direct": "a", "gateway": "c"}, 8, 36, {}, 3.0)
    assert out["added_ms"] == {
        "median": 2.0, "ci95": [2.0, 2.0], "share_of_direct_p50": round(2 / 11, 3)
    }  # fmt: skip
    assert json.dumps(out)  # the report is plain JSON


def _run(n: int, own: float, question_ms: float, failed: int = 0) -> dict[str, Any]:
    samples = [Sample("question", question_ms, True, question_ms - own) for _ in range(20)]
    samples += [Sample("form", 50.0, False) for _ in range(failed)]
    return {"n": n, "gateway": summarise(samples, 10.0)}


def test_the_targets_are_met_or_missed_by_the_runs_figures() -> None:
    met = targets_of([_run(1, 9.0, 900.0, 3), _run(8, 4.0, 250.0), _run(32, 9.0, 900.0)])
    assert {k: (t["value"], t["met"]) for k, t in met.items()} == {
        "own_p50_ms": (4.0, True), "question_p95_ms": (250.0, True), "errors_at_32": (0, True)
    }  # fmt: skip
    missed = targets_of([_run(8, 6.0, 301.0), _run(32, 1.0, 10.0, failed=1)])
    assert [t["met"] for t in missed.values()] == [False, False, False]
    unmeasured = targets_of([_run(1, 1.0, 10.0)])
    assert all(t["value"] is None and t["met"] is None for t in unmeasured.values())


def test_the_report_has_the_runs_targets_and_resources() -> None:
    runs = [_run(8, 4.0, 250.0), _run(32, 4.0, 280.0)]
    runs[0]["added_ms"] = {"median": 4.0, "ci95": [3.5, 4.5], "share_of_direct_p50": 0.02}
    report = report_of(runs, {"total": 1800.0}, 20.0, 3000)
    assert set(report) == {"runs", "targets", "added_ms", "rss_mb", "startup_s", "think_ms"}
    assert report["runs"][0]["gateway"]["own_p50_ms"] == 4.0
    assert report["added_ms"]["median"] == 4.0 and report["targets"]["errors_at_32"]["met"]
