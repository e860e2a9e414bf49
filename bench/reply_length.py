"""Reply length benchmark: how long the normal-mode answer to each dev query is, before and after
replies lead with the part asked about (issue #17, "Answers that answer the question").

    python bench/reply_length.py [--json OUT] [--index DIR]

Each dev query (knowledge_base/dev/queries-{en,zh}.jsonl) goes through the shipped search as
the action server sends it (euphemisms said plainly; once more without hearsay when the first
search does not answer). For every query the search answers, the reply text is measured
twice: "before" is the full-guide answer every question got (`format_answer`, still the reply
to a general question); "after" is what `action_answer_from_guides` sends now: the part-led
reply (`format_part`) when `question_part` finds a part, else the same full-guide answer.
Length is words for English and characters without spaces for Chinese (buttons not counted).
Clarify and decline replies did not change and are left out."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from actions.guide_format import format_answer  # noqa: E402
from actions.part_reply import format_part  # noqa: E402
from actions.phrasing import plain_words, without_hearsay  # noqa: E402
from actions.question_part import GENERAL, question_part  # noqa: E402
from knowledge_base import KnowledgeBase, SearchResult  # noqa: E402
from knowledge_base.dataset import read_queries  # noqa: E402

LANGS = ("en", "zh")


def size(text: str, lang: str) -> int:
    """Words in English, characters (without spaces) in Chinese."""
    return len("".join(text.split())) if lang == "zh" else len(text.split())


def _search(kb: KnowledgeBase, question: str, lang: str) -> SearchResult:
    """The search as the action runs it."""
    result = kb.search(plain_words(question), lang)
    shorter = without_hearsay(plain_words(question))
    if result.outcome != "answer" and shorter and shorter != plain_words(question):
        retry = kb.search(shorter, lang)
        if retry.outcome == "answer":
            return retry
    return result


def measure(kb: KnowledgeBase, lang: str) -> dict[str, Any]:
    queries = read_queries(ROOT / "knowledge_base" / "dev" / f"queries-{lang}.jsonl")
    before: list[int] = []
    after: list[int] = []
    part_before: list[int] = []
    part_after: list[int] = []
    for query in queries:
        result = _search(kb, query.query, lang)
        if result.outcome != "answer" or not result.hits:
            continue
        guide = kb.guide(result.hits[0].guide_id, lang)
        if guide is None:
            continue
        full = size(format_answer(guide, lang, result.hits[0].section, simple=False), lang)
        part = question_part(query.query)
        led = size(format_part(guide, lang, part)[0], lang) if part != GENERAL else full
        before.append(full)
        after.append(led)
        if part != GENERAL:
            part_before.append(full)
            part_after.append(led)
    unit = "characters" if lang == "zh" else "words"
    return {
        "lang": lang,
        "unit": unit,
        "queries": len(queries),
        "answered": len(before),
        "median_before": statistics.median(before) if before else None,
        "median_after": statistics.median(after) if after else None,
        "part_questions": len(part_before),
        "part_median_before": statistics.median(part_before) if part_before else None,
        "part_median_after": statistics.median(part_after) if part_after else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--index", type=Path, default=ROOT / "var" / "index" / "guides", help="index directory"
    )
    args = parser.parse_args(argv)
    kb = KnowledgeBase.open(ROOT / "knowledge_base" / "guides", args.index)
    rows = [measure(kb, lang) for lang in LANGS]
    print("normal-mode reply length over the dev queries the search answers (median)")
    print("lang  unit        answered  before  after | part questions  before  after")
    for r in rows:
        print(
            f"{r['lang']:<5} {r['unit']:<11} {r['answered']:>8}  {r['median_before']:>6}  "
            f"{r['median_after']:>5} | {r['part_questions']:>14}  "
            f"{r['part_median_before']:>6}  {r['part_median_after']:>5}"
        )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
