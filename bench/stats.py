"""The load bench's figures: per-target latency summaries, what the gateway adds to Rasa
message by message, the targets the gateway is held to, and the report, as JSON keys and as
the printed table (see bench/load_bench.py)."""

from __future__ import annotations

import random
import statistics
from dataclasses import dataclass
from typing import Any


@dataclass
class Sample:
    kind: str
    ms: float
    ok: bool
    rasa_ms: float | None = None  # the gateway's wait for Rasa in this message (Server-Timing)


# what the gateway is held to (issue #18): (JSON key, run's N, figure, limit, what it means)
TARGETS = (
    ("own_p50_ms", 8, "own_p50_ms", 5.0, "the gateway's own time per message, median"),
    ("question_p95_ms", 8, "question_p95_ms", 300.0, "question turns through the gateway, p95"),
    ("errors_at_32", 32, "errors", 0, "failed messages with 32 citizens"),
)


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


def paired(target: list[Sample], direct: list[Sample]) -> list[tuple[float, float]]:
    """(target ms, Rasa direct ms) of the same message: the k-th sample of each target is the
    same citizen line's same turn, the same text sent seconds apart (see citizen()). Pairs
    where either failed are left out."""
    return [(a.ms, b.ms) for a, b in zip(target, direct, strict=False) if a.ok and b.ok]


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


def targets_of(runs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each target's measured value against its limit (runs at another N: not measured)."""
    out: dict[str, dict[str, Any]] = {}
    for key, n, figure, limit, _ in TARGETS:
        run = next((r for r in runs if r["n"] == n), None)
        value = None if run is None else run["gateway"].get(figure)
        met = None if value is None else value <= limit
        out[key] = {"n": n, "value": value, "limit": limit, "met": met}
    return out


def report_of(
    runs: list[dict[str, Any]], memory: dict[str, float], startup_s: float, think_ms: int
) -> dict[str, Any]:
    """The JSON report: every run, the targets, what the gateway adds to Rasa at N = 8."""
    at8 = next((r for r in runs if r["n"] == 8), runs[0])
    return {
        "runs": runs,
        "targets": targets_of(runs),
        "added_ms": at8.get("added_ms"),
        "rss_mb": memory,
        "startup_s": startup_s,
        "think_ms": think_ms,
    }


def print_report(report: dict[str, Any]) -> None:
    """The report as a Markdown table and a few lines (what `civic bench` prints without --json)."""
    print(
        "| n | target | p50 ms | p95 ms | p99 ms | msgs/s | errors | question p95 ms | own p50 ms |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in report["runs"]:
        for target in [t for t in ("rasa_direct", "gateway") if t in r]:
            m = r[target]
            print(
                f"| {r['n']} | {target} | {m['p50_ms']} | {m['p95_ms']} | {m['p99_ms']} | "
                f"{m['msgs_per_s']} | {m['errors']} | {m['question_p95_ms']} | "
                f"{m.get('own_p50_ms', '-')} |"
            )
    print(f"\nthink time between a citizen's messages: {report['think_ms']} ms")
    for (key, n, _, limit, meaning), got in zip(TARGETS, report["targets"].values(), strict=True):
        verdict = {True: "met", False: "MISSED", None: "not measured"}[got["met"]]
        print(f"target {key} (N = {n}, {meaning}): {got['value']} <= {limit}: {verdict}")
    added = report["added_ms"]
    if added is not None:
        print(
            f"the gateway adds per message at N = 8 (median of gateway - Rasa direct, same "
            f"messages): {added['median']} ms (95% CI {added['ci95']})"
        )
    print(f"resident memory (MB): {report['rss_mb']}")
    print(f"warm start to healthy: {report['startup_s']} s")
