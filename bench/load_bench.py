"""Load benchmark: N simulated citizens through the gateway's REST API, and the same mix sent
straight to Rasa's REST webhook in the same run (for reference), side by side.

    civic bench [--n 1 8 32] [--turns 24] [--think-ms 3000] [--json]  (or: make bench)

Starts its own stack (embedded Redis unless REDIS_URL, SQLite unless DATABASE_URL) on free
ports, so it never touches a running assistant. Prints p50/p95/p99 latency, messages per
second and errors per run, the gateway's own time per message, the targets it is held to
(bench/stats.py TARGETS: own time p50 at N = 8 <= 5 ms, question turns p95 at N = 8 <= 300 ms,
no errors at N = 32), the resident memory of each process and the time a warm stack takes to
become healthy.

Citizens pause between messages (reading the reply, typing: --think-ms, mean 3 s, uniform
0.5-1.5x) and arrive at random moments within the first pause; --think-ms 0 sends back to
back from the same instant, the saturation test.

The targets are interleaved message by message: each line of citizens sends every turn's text
to the gateway and to Rasa direct in turn (a conversation of its own on each), with the usual
pause between any two messages, the order rotating from turn to turn, so that a slow minute of
this shared machine falls on both alike. `msgs_per_s` is each target's share: its messages
over the run's wall time.

Gateway replies carry `Server-Timing: rasa;dur=...`; `own_p50_ms` is the median per message of
latency less that wait, the gateway's own time, independent of how fast Rasa was in the run.
`added_ms` compares the gateway with Rasa direct message by message (the k-th samples of the
two are the same line's same turn): the median difference and its bootstrap interval.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import psutil

from bench.stats import Sample, added_ms, paired, print_report, report_of, server_timing, summarise
from civic.stack import Stack
from civic.stack_config import ROOT, local_config

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
    summarised, and the gateway compared with Rasa direct message by message."""
    samples, wall = asyncio.run(run(urls, n, turns, qs, think_s))
    out: dict[str, Any] = {t: summarise(samples[t], wall) for t in urls}
    if "rasa_direct" in samples and "gateway" in samples:
        out["added_ms"] = added_ms(paired(samples["gateway"], samples["rasa_direct"]))
    return out


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
        "--think-ms", type=int, default=3000,
        help="mean pause between a citizen's messages (0: back to back, the saturation test)",
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
        config = local_config(Path(var), API_KEY)
        stack = Stack(config)
        try:
            stack.train(quiet=True)
            started = time.perf_counter()
            stack.up(quiet=True)
            startup_s = round(time.perf_counter() - started, 1)
            urls = {"rasa_direct": stack.rasa_url, "gateway": stack.gateway_url}
            asyncio.run(run(urls, 2, 6, qs, seed=99))  # warm-up
            runs = []
            for n in args.n:
                each = max(CONVERSATION_TURNS, args.turns)
                runs.append({"n": n, **compare(urls, n, each, qs, args.think_ms / 1000)})
            memory = rss_mb(stack)
        finally:
            stack.down()
    report = report_of(runs, memory, startup_s, args.think_ms)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_report(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
