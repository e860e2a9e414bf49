"""Knowledge-base benchmark: BM25 alone, dense alone and the shipped pipeline side by side.

    python bench/kb_bench.py [--json] [--sets stackfaq-en,tianchi-zh,...]

For every set of /work/shared/eval (or $CIVIC_EVAL_DIR) and the demo dev set (per language),
each method is run through the real search + decision path. Every method's decision model is
calibrated on the hash-selected calibration half of the queries and all figures are measured
on the other (held-out) half, so nothing is scored on the queries it was fitted on."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from knowledge_base import KnowledgeBase, LanguageSettings, SearchConfig  # noqa: E402
from knowledge_base.calibration import calibrate  # noqa: E402
from knowledge_base.dataset import (  # noqa: E402
    LabelledQuery,
    faq_documents,
    read_queries,
    split_queries,
)
from knowledge_base.embedders import limit_threads  # noqa: E402
from knowledge_base.errors import CalibrationError  # noqa: E402
from knowledge_base.evaluate import evaluate  # noqa: E402

EVAL_DIR = Path(os.environ.get("CIVIC_EVAL_DIR", "/work/shared/eval"))
SETS = ("stackfaq-en", "tianchi-zh", "banking77-oos-en", "dev-en", "dev-zh")


def methods(lang: str) -> dict[str, SearchConfig]:
    shipped = SearchConfig()
    own = shipped.language(lang)
    dense = replace(own, bm25_weight=0.0)  # the same dense signal(s) and aggregation
    bm25 = LanguageSettings((), 1.0, ())

    def only(settings: LanguageSettings) -> SearchConfig:
        return shipped.with_language(lang, settings)

    return {"bm25": only(bm25), "dense": only(dense), "shipped": shipped}


def load_set(name: str) -> tuple[str, list[LabelledQuery], Any]:
    if name.startswith("dev-"):
        lang = name[4:]
        queries = read_queries(ROOT / "knowledge_base" / "dev" / f"queries-{lang}.jsonl")
        return lang, queries, None
    docs = faq_documents(EVAL_DIR / name / "faqs.jsonl")
    return docs[0].lang, read_queries(EVAL_DIR / name / "queries.jsonl"), docs


def run_set(name: str) -> dict[str, dict[str, Any]]:
    lang, queries, docs = load_set(name)
    calibration, held_out = split_queries(queries)
    rows: dict[str, dict[str, Any]] = {}
    for method, config in methods(lang).items():
        if docs is None:
            index_dir = Path(tempfile.gettempdir()) / "civic-kb-bench" / method
            kb = KnowledgeBase.open(ROOT / "knowledge_base" / "guides", index_dir, config)
        else:
            kb = KnowledgeBase.from_documents(docs, config)
        try:
            kb = kb.with_decisions(calibrate(kb, calibration))
        except CalibrationError as exc:
            print(f"{name}/{method}: {exc}", file=sys.stderr)
        rows[method] = evaluate(kb, held_out).to_json()
    return rows


def _f(value: Any) -> str:
    return "–" if value is None else f"{value:.3f}".lstrip("0") if value < 1 else f"{value:.3f}"


def markdown(results: dict[str, dict[str, dict[str, Any]]]) -> str:
    lines = [
        "| set | method | R@1 | R@5 | MRR@10 | MAP | decision acc. | OOS AUROC | p50 ms "
        "| MAP vs best single |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, rows in results.items():
        best_single = max(rows["bm25"]["map"], rows["dense"]["map"])
        for method, r in rows.items():
            ratio = r["map"] / best_single if best_single else float("nan")
            lines.append(
                f"| {name} | {method} | {_f(r['recall_at_1'])} | {_f(r['recall_at_5'])} "
                f"| {_f(r['mrr_at_10'])} | {_f(r['map'])} | {_f(r['decision_accuracy'])} "
                f"| {_f(r['oos_auroc'])} | {r['p50_ms']:.1f} | {ratio:.3f} |"
            )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--sets", default=",".join(SETS))
    args = parser.parse_args()
    limit_threads(int(os.environ.get("CIVIC_TORCH_THREADS") or 1))  # as the action server does
    results = {name: run_set(name) for name in args.sets.split(",") if name}
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print("Held-out half of each query set (decisions calibrated on the other half).\n")
        print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
