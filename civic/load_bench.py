"""Load benchmark: N simulated citizens through the gateway's REST API, and the same mix sent
straight to Rasa's REST webhook in the same run (the floor), side by side.

    civic bench [--n 1 8 32] [--turns 24] [--ratio-turns 96] [--think-ms 3000] [--floor] [--null]
                [--json]  (or: make bench)

Starts its own stack (embedded Redis unless REDIS_URL, SQLite unless DATABASE_URL) on free
ports, so it never touches a running assistant. Prints p50/p95/p99 latency, messages per
second and errors per run, the gateway/Rasa overhead ratio at n = 8, the resident memory of
each process and the time a warm stack takes to become healthy.

Citizens pause between messages (reading the reply, typing: --think-ms, mean 3 s, uniform
0.5-1.5x) and arrive at random moments within the first pause (with all N first messages in the
same millisecond, that one burst made most of the N = 8 tail); --think-ms 0 sends back to
back from the same instant, the saturation test.

The targets are interleaved message by message: each line of citizens sends every turn's text
to each target in turn (a conversation of its own on each), with the usual pause between any
two messages, the targets' order rotating from turn to turn. The machine carries N citizens'
load throughout, whatever the number of targets, and the same turn reaches two targets seconds
apart: a slow minute of this shared machine falls on all of them alike. (Earlier the targets
took turns in rounds of whole conversations, about 40 s each; Rasa direct against itself then
came out anywhere from 0.96 to 1.06 within one run, as much as the gateway's whole cost.)
`msgs_per_s` is each target's share: its messages over the run's wall time.

Gateway replies carry `Server-Timing: rasa;dur=...`; `own_p50_ms` is the median per message of
latency less that wait, the gateway's own time, independent of how fast Rasa was in the run.
`--floor` adds civic/proxy_floor.py, a bare forwarder to Rasa under the same server: the cost of
any separate HTTP process in front of Rasa, as a third line. `--null` sends the mix straight
to Rasa once more, as one more interleaved target: two identical targets' ratio is this run's
own noise, the yardstick for the others.

Each target is also compared with Rasa direct message by message (the k-th samples of two
targets are the same line's same turn): the ratio's interval from resampling those pairs, and
`added_ms`, the median per-message difference.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import psutil

from civic.ports import free_port
from civic.stack import ROOT, SERVER_OPTIONS, Stack, StackConfig

API_KEY = "bench-" + secrets.token_urlsafe(18)
SMALL_TALK = {
    "en": ["hello", "thanks", "what can you do?", "bye"],
    "zh": ["你好", "谢谢", "你能做什么", "再见"],
}
FORM_STEPS = {
    "en": ["I want to report a broken streetlight", "cancel"],
    "zh": ["我要报修路灯", "取消"],
}
HANDOFF = {"en": ["I want to talk to a person", "cancel"], "zh": ["转人工", "取消"]}


def questions(lang: str) -> list[str]:
    path = ROOT / "knowledge_base" / "dev" / f"queries-{lang}.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [r["query"] for r in rows if r["relevant"]]


@dataclass
class Sample:
    kind: str
    ms: float
    ok: bool
    rasa_ms: float | None = None  # the gateway's wait for Rasa in this message (Server-Timing)


# targets besides Rasa direct and the gateway: report key prefix, what the text output calls it
COMPARED = {
    "proxy_floor": ("floor", "bare forwarder (--floor) against Rasa direct"),
    "rasa_direct_again": ("null", "Rasa direct against itself (--null), this run's own noise"),
}
CONVERSATION_TURNS = 12  # one citizen's conversation; then a new citizen takes the line


@dataclass
class Script:
    """A citizen's turns: questions 60%, form steps 25%, small talk 10%, handoff 5%."""

    rng: random.Random
    lang: str
    qs: list[str]
    pending: list[tuple[str, str]] = field(default_factory=list)

    def next(self) -> tuple[str, str]:
        if self.pending:
            return self.pending.pop(0)
        roll = self.rng.random()
        if roll < 0.60:
            return "question", self.rng.choice(self.qs)
        if roll < 0.85:
            first, *rest = FORM_STEPS[self.lang]
            self.pending = [("form", t) for t in rest]
            return "form", first
        if roll < 0.95:
            return "small_talk", self.rng.choice(SMALL_TALK[self.lang])
        first, *rest = HANDOFF[self.lang]
        self.pending = [("handoff", t) for t in rest]
        return "handoff", first


async def send(
    client: aiohttp.ClientSession, target: str, base: str, cid: str, kind: str, text: str,
    lang: str,
) -> Sample:  # fmt: skip
    """One message to one target: through the gateway's REST API, or straight to Rasa's REST
    webhook with the metadata the gateway would add."""
    if target == "gateway":
        url = f"{base}/api/v1/conversations/{cid}/messages"
        body: dict[str, Any] = {"text": text, "lang": lang}
        headers = {"Authorization": f"Bearer {API_KEY}"}
    else:
        url = f"{base}/webhooks/rest/webhook"
        metadata = {"lang": lang, "simple_mode": False, "channel": "rest"}
        body, headers = {"sender": cid, "message": text, "metadata": metadata}, {}
    started = time.perf_counter()
    rasa_ms = None
    try:
        async with client.post(url, json=body, headers=headers) as r:
            await r.read()
            ok = r.status == 200
            rasa_ms = server_timing(r.headers.get("Server-Timing", ""), "rasa")
    except (TimeoutError, aiohttp.ClientError):
        ok = False
    return Sample(kind, (time.perf_counter() - started) * 1000, ok, rasa_ms)


async def citizen(
    client: aiohttp.ClientSession,
    urls: dict[str, str],
    seed: int,
    turns: int,
    qs: dict[str, list[str]],
    think_s: float = 0.0,
) -> dict[str, list[Sample]]:
    """One line of citizens, interleaving the targets message by message: each turn's text goes
    to every target (each has its own conversation with this citizen), one message after the
    other with the usual pause between any two, the targets' order rotating from turn to turn.
    The k-th samples of two targets are the same turn, sent seconds apart, not minutes."""
    script_rng = random.Random(seed)  # texts and languages: the same for every target
    pace = random.Random(seed + 1_000_003)  # pauses
    targets = list(urls)
    samples: dict[str, list[Sample]] = {t: [] for t in targets}
    if think_s:  # citizens arrive at random moments, not all in the same millisecond
        await asyncio.sleep(think_s * pace.uniform(0.0, 1.0))
    first = True
    for turn in range(turns):
        if turn % CONVERSATION_TURNS == 0:  # the next citizen on this line
            lang = "en" if (seed + turn // CONVERSATION_TURNS) % 2 == 0 else "zh"
            script = Script(script_rng, lang, qs[lang])
            cids = {t: f"bench-{t}-{uuid.uuid4().hex[:10]}" for t in targets}
        kind, text = script.next()
        shift = (seed + turn) % len(targets)
        for target in targets[shift:] + targets[:shift]:
            if think_s and not first:
                await asyncio.sleep(think_s * pace.uniform(0.5, 1.5))  # reading and typing
            first = False
            samples[target].append(
                await send(client, target, urls[target], cids[target], kind, text, lang)
            )
    return samples


def server_timing(header: str, name: str) -> float | None:
    """The `dur` of metric `name` in a Server-Timing header (`rasa;dur=12.3, ...`)."""
    for metric in header.split(","):
        parts = [p.strip() for p in metric.split(";")]
        if parts[0] == name:
            for param in parts[1:]:
                key, _, value = param.partition("=")
                if key == "dur":
                    try:
                        return float(value)
                    except ValueError:
                        return None
    return None


def summarise(samples: list[Sample], wall_s: float) -> dict[str, Any]:
    ms = sorted(s.ms for s in samples if s.ok)
    q = sorted(s.ms for s in samples if s.ok and s.kind == "question")
    # the gateway's own time per message: its latency less its wait for Rasa (same message)
    own = [s.ms - s.rasa_ms for s in samples if s.ok and s.rasa_ms is not None]

    def pct(values: list[float], p: float) -> float:
        return round(values[min(len(values) - 1, int(p * len(values)))], 1) if values else 0.0

    return {
        "p50_ms": round(statistics.median(ms), 1) if ms else 0.0,
        "p95_ms": pct(ms, 0.95),
        "p99_ms": pct(ms, 0.99),
        "msgs_per_s": round(len(samples) / wall_s, 1),
        "errors": sum(not s.ok for s in samples),
        "question_p95_ms": pct(q, 0.95),
        **({"own_p50_ms": round(statistics.median(own), 2)} if own else {}),
    }


async def run(
    urls: dict[str, str],
    n: int,
    turns: int,
    qs: dict[str, list[str]],
    think_s: float = 0.0,
    seed: int = 0,
) -> tuple[dict[str, list[Sample]], float]:
    """N concurrent lines of citizens, `turns` turns each sent to every target; each target's
    samples (line by line, turn by turn, so the k-th of two targets are the same turn) and the
    wall time."""
    timeout = aiohttp.ClientTimeout(total=60)
    connector = aiohttp.TCPConnector(limit=n + 4)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as client:
        started = time.perf_counter()
        lines = await asyncio.gather(
            *(citizen(client, urls, seed + i, turns, qs, think_s) for i in range(n))
        )
        wall = time.perf_counter() - started
    return {t: [s for line in lines for s in line[t]] for t in urls}, wall


def compare(
    urls: dict[str, str], n: int, turns: int, qs: dict[str, list[str]], think_s: float
) -> dict[str, dict[str, Any]]:
    """All targets in one run, the same mix and seeds, interleaved message by message; each
    summarised, and each compared with Rasa direct message by message."""
    samples, wall = asyncio.run(run(urls, n, turns, qs, think_s))
    out = {t: summarise(samples[t], wall) for t in urls}
    if "rasa_direct" in samples:  # how far each comparison with Rasa direct could move by chance
        direct = samples["rasa_direct"]
        pairs = {t: paired(samples[t], direct) for t in urls if t != "rasa_direct"}
        out["ratio_ci95"] = {t: ratio_ci(p) for t, p in pairs.items()}
        out["added_ms"] = {t: added_ms(p) for t, p in pairs.items()}
    return out


def paired(target: list[Sample], direct: list[Sample]) -> list[tuple[float, float]]:
    """(target ms, Rasa direct ms) of the same message: the k-th sample of each target is the
    same citizen line's same turn, the same text sent seconds apart (see citizen()). Pairs
    where either failed are left out."""
    return [(a.ms, b.ms) for a, b in zip(target, direct, strict=False) if a.ok and b.ok]


def ratio_ci(
    pairs: list[tuple[float, float]], rounds: int = 2000, seed: int = 0
) -> list[float] | None:
    """A 95% bootstrap interval of median(target) / median(direct) over the same messages:
    pairs resampled with replacement, `rounds` times (resampling pairs, not each side on its
    own, keeps what a message costs on both sides together; the interval is narrower and
    true to the design). It shows how far one run's ratio may move by the draw of messages
    alone."""
    if not pairs:
        return None
    rng = random.Random(seed)
    ratios = []
    for _ in range(rounds):
        draw = rng.choices(pairs, k=len(pairs))
        ratios.append(statistics.median(a for a, _ in draw) / statistics.median(b for _, b in draw))
    return _middle_95(ratios, 3)


def added_ms(
    pairs: list[tuple[float, float]], rounds: int = 2000, seed: int = 0
) -> dict[str, Any] | None:
    """What the target adds to a message, measured message by message: the median of (target
    - Rasa direct) over the same messages, its 95% bootstrap interval, and that median as a
    share of Rasa direct's median. Sharper than a ratio of two medians, whose sides scatter
    on their own: a message's cost in Rasa is on both sides of its difference."""
    if not pairs:
        return None
    diffs = [a - b for a, b in pairs]
    rng = random.Random(seed)
    medians = [statistics.median(rng.choices(diffs, k=len(diffs))) for _ in range(rounds)]
    median = statistics.median(diffs)
    direct = statistics.median(b for _, b in pairs)
    return {
        "median": round(median, 2),
        "ci95": _middle_95(medians, 2),
        "share_of_direct_p50": round(median / max(direct, 0.001), 3),
    }


def _middle_95(values: list[float], digits: int) -> list[float]:
    """The 2.5th and 97.5th percentiles of bootstrap values, rounded."""
    ordered = sorted(values)
    k = len(ordered)
    return [round(ordered[int(0.025 * k)], digits), round(ordered[int(0.975 * k) - 1], digits)]


def report_of(
    runs: list[dict[str, Any]], memory: dict[str, float], startup_s: float, think_ms: int
) -> dict[str, Any]:
    """The JSON report: the issue's keys (the ratio at N = 8), then the same figures for the
    extra targets (`floor_*`, `null_*`) that were measured."""
    at8 = next((r for r in runs if r["n"] == 8), runs[0])
    direct_p50 = max(at8["rasa_direct"]["p50_ms"], 0.001)
    report: dict[str, Any] = {
        "runs": runs,
        "overhead_ratio": round(at8["gateway"]["p50_ms"] / direct_p50, 3),
        "rss_mb": memory,
        "startup_s": startup_s,
        "think_ms": think_ms,
        "overhead_ratio_ci95": at8["ratio_ci95"]["gateway"],
        "overhead_added_ms": at8["added_ms"]["gateway"],
    }
    for target, (prefix, _) in COMPARED.items():
        if target in at8:
            report[f"{prefix}_ratio"] = round(at8[target]["p50_ms"] / direct_p50, 3)
            report[f"{prefix}_ratio_ci95"] = at8["ratio_ci95"][target]
            report[f"{prefix}_added_ms"] = at8["added_ms"][target]
    return report


def rss_mb(stack: Stack) -> dict[str, float]:
    out = {}
    for name, process in stack.processes.items():
        if process.proc is None:
            continue
        root = psutil.Process(process.proc.pid)
        total = sum(p.memory_info().rss for p in [root, *root.children(recursive=True)])
        out[name] = round(total / 2**20, 1)
    out["total"] = round(sum(out.values()), 1)
    return out


@dataclass
class Floor:
    url: str
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_floor(rasa_url: str, var: Path) -> Floor:
    """civic/proxy_floor.py under uvicorn with the gateway's server options, on a free port."""
    port = free_port()
    log = (var / "proxy-floor.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "civic.proxy_floor:app", "--host", "127.0.0.1",
         "--port", str(port), *SERVER_OPTIONS],
        cwd=ROOT, env={**os.environ, "RASA_URL": rasa_url}, stdout=log, stderr=log,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return Floor(f"http://127.0.0.1:{port}", process)
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the bare forwarder (civic/proxy_floor.py) did not start")


def add_bench_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--n", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument(
        "--turns",
        type=int,
        default=24,
        help="messages per line of citizens and target (a citizen's conversation is 12); N "
        "lines run at once",
    )
    parser.add_argument(
        "--ratio-turns",
        type=int,
        default=96,
        help="messages per line at N = 8, the run the overhead target is judged on: 96 (768 "
        "messages per target) narrows its ratio's 95%% interval to about +-0.03",
    )
    parser.add_argument(
        "--think-ms", type=int, default=3000,
        help="mean pause between a citizen's messages (0: back to back, the saturation test)",
    )  # fmt: skip
    parser.add_argument(
        "--floor", action="store_true",
        help="also measure civic/proxy_floor.py: a bare forwarder to Rasa under the same server, "
        "the cost of any separate HTTP process in front of Rasa",
    )  # fmt: skip
    parser.add_argument(
        "--null", action="store_true",
        help="also send the mix straight to Rasa a second time, as one more target interleaved "
        "with the others: the ratio of two identical targets shows how far this run's ratios "
        "move by chance alone",
    )  # fmt: skip
    parser.add_argument("--json", action="store_true")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    add_bench_arguments(parser)
    return run_bench(parser.parse_args(argv))


def run_bench(args: argparse.Namespace) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    qs = {"en": questions("en"), "zh": questions("zh")}
    with tempfile.TemporaryDirectory(prefix="civic-bench-") as var:
        config = StackConfig(
            root=ROOT,
            var_dir=Path(var),
            gateway_port=free_port(),
            rasa_port=free_port(),
            actions_port=free_port(),
            embedded_redis_port=free_port(),
            redis_url=os.environ.get("REDIS_URL") or None,
            database_url=os.environ.get("DATABASE_URL") or None,
            api_keys=API_KEY,
            service_token=secrets.token_urlsafe(24),
            extra_env={"CIVIC_INDEX_DIR": str(ROOT / "var" / "index" / "guides")},
        )
        stack = Stack(config)
        floor: Floor | None = None
        try:
            stack.train(quiet=True)
            started = time.perf_counter()
            stack.up(quiet=True)
            startup_s = round(time.perf_counter() - started, 1)
            urls = {"rasa_direct": stack.rasa_url, "gateway": stack.gateway_url}
            if args.floor:
                floor = start_floor(stack.rasa_url, Path(var))
                urls = {"rasa_direct": stack.rasa_url, "proxy_floor": floor.url, **urls}
            if args.null:  # Rasa direct once more, interleaved too: this run's own noise
                urls = {**urls, "rasa_direct_again": stack.rasa_url}
            asyncio.run(run(urls, 2, 6, qs, seed=99))  # warm-up
            runs = []
            for n in args.n:
                each = max(CONVERSATION_TURNS, args.ratio_turns if n == 8 else args.turns)
                runs.append({"n": n, **compare(urls, n, each, qs, args.think_ms / 1000)})
            memory = rss_mb(stack)
        finally:
            if floor is not None:
                floor.stop()
            stack.down()
    report = report_of(runs, memory, startup_s, args.think_ms)
    ratio = report["overhead_ratio"]
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print("| n | target | p50 ms | p95 ms | p99 ms | msgs/s | errors | question p95 ms |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    for r in runs:
        for target in [t for t in ("rasa_direct", *COMPARED, "gateway") if t in r]:
            m = r[target]
            print(
                f"| {r['n']} | {target} | {m['p50_ms']} | {m['p95_ms']} | {m['p99_ms']} | "
                f"{m['msgs_per_s']} | {m['errors']} | {m['question_p95_ms']} |"
            )
    print(f"\nthink time between a citizen's messages: {args.think_ms} ms")
    ci = report["overhead_ratio_ci95"]
    print(f"overhead ratio (gateway p50 / Rasa direct p50 at n=8): {ratio} (95% CI {ci})")
    added = report["overhead_added_ms"]
    if added is not None:
        print(
            f"the gateway adds per message (median of gateway - Rasa direct, same messages): "
            f"{added['median']} ms (95% CI {added['ci95']}), "
            f"{added['share_of_direct_p50']:.1%} of Rasa direct's median"
        )
    for prefix, label in COMPARED.values():
        if f"{prefix}_ratio" in report:
            ci, added = report[f"{prefix}_ratio_ci95"], report[f"{prefix}_added_ms"]
            print(f"{label}: ratio {report[f'{prefix}_ratio']} (95% CI {ci})", end="")
            if added is not None:
                print(f", adds {added['median']} ms per message (95% CI {added['ci95']})", end="")
            print()
    print(f"resident memory (MB): {memory}")
    print(f"warm start to healthy: {startup_s} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
