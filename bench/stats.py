"""The load bench's figures: per-target latency summaries, the message-by-message comparison
with Rasa direct (bootstrap intervals of the ratio and of the added time), and the report, as
JSON keys and as the printed table (see bench/load_bench.py)."""

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


# targets besides Rasa direct and the gateway: report key prefix, what the text output calls it
COMPARED = {
    "proxy_floor": ("floor", "bare forwarder (--floor) against Rasa direct"),
    "rasa_direct_again": ("null", "Rasa direct against itself (--null), this run's own noise"),
}


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


def print_report(report: dict[str, Any]) -> None:
    """The report as a Markdown table and a few lines (what `civic bench` prints without --json)."""
    ratio = report["overhead_ratio"]
    print("| n | target | p50 ms | p95 ms | p99 ms | msgs/s | errors | question p95 ms |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    for r in report["runs"]:
        for target in [t for t in ("rasa_direct", *COMPARED, "gateway") if t in r]:
            m = r[target]
            print(
                f"| {r['n']} | {target} | {m['p50_ms']} | {m['p95_ms']} | {m['p99_ms']} | "
                f"{m['msgs_per_s']} | {m['errors']} | {m['question_p95_ms']} |"
            )
    print(f"\nthink time between a citizen's messages: {report['think_ms']} ms")
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
    print(f"resident memory (MB): {report['rss_mb']}")
    print(f"warm start to healthy: {report['startup_s']} s")
