"""Knowledge-base benchmark (`make bench-kb`): every development set held out.

    python bench/kb_bench.py [--json OUT] [--latency-queries 200]

1. Ranking (bench/kb_select.py): for each set, the configuration chosen on the language's
   other sets, next to BM25 alone and each dense model alone (same aggregation) and to the
   shipped configuration (chosen on all sets).
2. Decisions (bench/kb_decide.py): for each set, the decision model fitted on all other sets
   (zero-shot: it never saw the set), decline AUROC, two- and three-way accuracy, next to the
   AUROC of each single method's raw top score (the best text's score, thresholded).
3. Speed: p50 / p95 of the shipped search, one query at a time through KnowledgeBase.search
   with the real models (each on one thread, side by side, as the action server runs), on up to
   ``--latency-queries`` queries per set; full and incremental (one guide changed) build time
   of the guides index.

Quality figures are deterministic; milliseconds depend on the machine's load."""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import kb_decide, kb_select
from bench.kb_sets import ALL_SETS, ROOT, cached_embedder, load_set
from knowledge_base import KnowledgeBase, SearchConfig
from knowledge_base.embedders import limit_threads
from knowledge_base.evaluate import auroc
from knowledge_base.index import SearchIndex


def raw_top_auroc(scores: kb_select.SetScores) -> dict[str, float]:
    """Decline AUROC of each single method's raw top score (its best text over the corpus)."""
    if scores.in_scope.all():
        return {}
    out = {}
    for name, best in scores.best.items():
        top = best.max(axis=1)
        out[name] = auroc(top[scores.in_scope].tolist(), top[~scores.in_scope].tolist())
    return out


def latency(name: str, count: int) -> dict[str, float]:
    """The index's passages come from the embedding cache (the build is timed separately);
    every query runs through the real models."""
    dev = load_set(name)
    config = SearchConfig()
    kb = KnowledgeBase(SearchIndex.build(dev.documents, config, cached_embedder), config)
    queries = random.Random(0).sample(dev.queries, min(count, len(dev.queries)))
    kb.search(queries[0].query, dev.lang)  # loads the models
    times = [kb.search(q.query, q.lang).elapsed_ms for q in queries]
    return {"p50_ms": float(np.percentile(times, 50)), "p95_ms": float(np.percentile(times, 95))}


def build_times() -> dict[str, Any]:
    """Full build of the guides index with every model, then one guide changed."""
    with tempfile.TemporaryDirectory() as tmp:
        guides = Path(tmp) / "guides"
        shutil.copytree(ROOT / "knowledge_base" / "guides", guides)
        index = Path(tmp) / "index"
        start = time.perf_counter()
        kb = KnowledgeBase.open(guides, index)
        full = time.perf_counter() - start
        path = guides / "en" / "passport.md"
        path.write_text(path.read_text("utf-8") + "\nBring a pen.\n", "utf-8")
        start = time.perf_counter()
        again = KnowledgeBase.open(guides, index)
        incremental = time.perf_counter() - start
        return {
            "chunks": len(kb.index.chunks),
            "full_s": round(full, 1),
            "full_embedded": kb.index.build_stats.get("embedded"),
            "incremental_s": round(incremental, 1),
            "incremental_embedded": again.index.build_stats.get("embedded"),
        }


def _f(value: Any) -> str:
    if value is None:
        return "–"
    return f"{value:.3f}".lstrip("0") if 0 <= value < 1 else f"{value:.3f}"


def markdown(report: dict[str, Any]) -> str:
    lines = _quality_markdown(report) if "ranking" in report else []
    if report.get("latency"):
        lines += [
            "### Speed (shipped configuration)",
            "",
            "| set | p50 ms | p95 ms |",
            "|---|---|---|",
        ]
        for name, row in report["latency"].items():
            lines.append(f"| {name} | {row['p50_ms']:.1f} | {row['p95_ms']:.1f} |")
    if report.get("build"):
        lines += ["", f"guides index build: {json.dumps(report['build'])}"]
    if report.get("load_average"):
        lines += [
            "",
            f"load average (1 min) before and after the speed part: {report['load_average']}",
        ]
    return "\n".join(lines)


def _quality_markdown(report: dict[str, Any]) -> list[str]:
    lines = ["### Ranking, each set held out (MAP / R@1, in-scope queries)", ""]
    for lang, data in report["ranking"].items():
        lines.append(f"{lang} shipped: {data['shipped']}")
    lines += [
        "",
        "| set | BM25 | " + " | ".join(kb_select.MODELS["en"]) + " | chosen on the others "
        "| shipped (fitted on all) | configuration chosen on the others |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for data in report["ranking"].values():
        for name, row in data["folds"].items():
            cells = [f"{_f(row['bm25']['map'])} / {_f(row['bm25']['r1'])}"]
            for model in kb_select.MODELS["en"]:
                cells.append(
                    f"{_f(row[model]['map'])} / {_f(row[model]['r1'])}" if model in row else "–"
                )
            held, shipped = row["held_out"], row["shipped"]
            cells += [
                f"**{_f(held['map'])} / {_f(held['r1'])}**",
                f"{_f(shipped['map'])} / {_f(shipped['r1'])}",
                row["chosen"] + ("" if row["same_as_shipped"] else " (differs)"),
            ]
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "### Decisions, zero-shot (model fitted on the other sets)",
        "",
        "| set | decline AUROC | best raw top-score AUROC | two-way acc. | three-way acc. "
        "(band) | clarify rate | right-vs-wrong AUROC |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, row in report["decisions"]["folds"].items():
        two, three = row["two_way_model"], row["with_clarify_band"]
        raw = report["raw_auroc"].get(name) or {}
        best_raw = max(raw.items(), key=lambda kv: kv[1]) if raw else None
        raw_cell = f"{_f(best_raw[1])} ({best_raw[0]})" if best_raw else "–"
        lines.append(
            f"| {name} | {_f(two['auroc'])} | {raw_cell} | {_f(two['two_way'])} "
            f"| {_f(three['three_way'])} | {_f(three['clarify_rate'])} "
            f"| {_f(two['right_auroc'])} |"
        )
    lines += ["", f"clarify band ships: {report['decisions']['clarify_band_ships']}", ""]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--latency-queries", type=int, default=200)
    parser.add_argument("--no-speed", action="store_true", help="quality figures only")
    parser.add_argument(
        "--speed-only",
        action="store_true",
        help="speed and build time only (the quality figures are deterministic; milliseconds "
        "need a quiet machine)",
    )
    args = parser.parse_args()
    limit_threads(int(os.environ.get("CIVIC_TORCH_THREADS") or 1))
    report: dict[str, Any] = {}
    if not args.speed_only:
        sets = {name: kb_select.set_scores(load_set(name)) for name in ALL_SETS}
        report["ranking"] = kb_select.select(sets)
        report["raw_auroc"] = {name: raw_top_auroc(s) for name, s in sets.items()}
        report["decisions"] = kb_decide.run(list(ALL_SETS))
    if not args.no_speed:
        before = os.getloadavg()[0]
        report["latency"] = {name: latency(name, args.latency_queries) for name in ALL_SETS}
        report["build"] = build_times()
        report["load_average"] = [round(before, 2), round(os.getloadavg()[0], 2)]
    print(markdown(report))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
