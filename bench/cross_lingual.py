"""Cross-lingual benchmark: the dev queries against guides that exist in one language only.

    python bench/cross_lingual.py [--json OUT] [--index DIR]

A city's guides are rarely all translated. This takes the 45 demo guides and keeps, of every
third guide (by id), the Chinese version only and, of the next third, the English version
only; the last third stays in both languages. Each dev query (knowledge_base/dev, 260 per
language) is then searched with the shipped search, twice: with the cross-lingual scoring of
guides written only in the other language (knowledge_base/fusion.py, `_as_same_language` and
`_fused_others`) and without it (every guide scored as one written in the query's language).

Groups per language: "other language" = in-scope queries whose guides all exist only in the
other language; "own language" = the rest of the in-scope queries; "out of scope". For each:
R@1 (the top guide is relevant) and the share answered right (decision "answer" and the top
guide relevant); for out-of-scope queries, the share wrongly answered. Embeddings of the guides
are reused from the index directory (no guide text is new), so only the queries are embedded."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from knowledge_base import KnowledgeBase  # noqa: E402
from knowledge_base.dataset import read_queries  # noqa: E402

LANGS = ("en", "zh")


def one_language_guides(source: Path, target: Path) -> dict[str, str]:
    """Copy the guides, every third only in Chinese, the next third only in English; return
    the guides kept in one language (id -> that language)."""
    ids = sorted(p.stem for p in (source / "en").glob("*.md"))
    only = {gid: ("zh", "en")[i % 3] for i, gid in enumerate(ids) if i % 3 < 2}
    for lang in LANGS:
        (target / lang).mkdir(parents=True)
        for path in (source / lang).glob("*.md"):
            if only.get(path.stem, lang) == lang:
                shutil.copyfile(path, target / lang / path.name)
    return only


def measure(kb: KnowledgeBase, only: dict[str, str], lang: str) -> dict[str, dict[str, Any]]:
    queries = read_queries(ROOT / "knowledge_base" / "dev" / f"queries-{lang}.jsonl")
    other = "zh" if lang == "en" else "en"
    groups: dict[str, list[tuple[bool, bool]]] = {"other language": [], "own language": []}
    wrongly_answered = 0
    out_of_scope = 0
    for query in queries:
        result = kb.search(query.query, lang)
        top = result.hits[0].guide_id if result.hits else None
        if not query.relevant:
            out_of_scope += 1
            wrongly_answered += result.outcome == "answer"
            continue
        right = top in query.relevant
        group = (
            "other language"
            if all(only.get(g) == other for g in query.relevant)
            else "own language"
        )
        groups[group].append((right, right and result.outcome == "answer"))
    out: dict[str, dict[str, Any]] = {}
    for name, rows in groups.items():
        out[name] = {
            "queries": len(rows),
            "r_at_1": round(float(np.mean([r for r, _ in rows])), 3) if rows else None,
            "answered_right": round(float(np.mean([a for _, a in rows])), 3) if rows else None,
        }
    out["out of scope"] = {
        "queries": out_of_scope,
        "wrongly_answered": round(wrongly_answered / max(out_of_scope, 1), 3),
    }
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--index", type=Path, default=ROOT / "var" / "index" / "guides")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        guides, index = Path(tmp) / "guides", Path(tmp) / "index"
        only = one_language_guides(ROOT / "knowledge_base" / "guides", guides)
        if (args.index / "manifest.json").exists():
            shutil.copytree(args.index, index)  # its vectors are reused: no guide is embedded
        kb = KnowledgeBase.open(guides, index)
        figures: dict[str, Any] = {"one_language_guides": dict(sorted(only.items()))}
        lacks = kb.index.lacks
        for mode in ("cross-lingual", "as one language"):
            if mode == "as one language":
                kb.index.lacks = {lang: np.zeros_like(v) for lang, v in lacks.items()}
            figures[mode] = {lang: measure(kb, only, lang) for lang in LANGS}
        kb.index.lacks = lacks
    for mode in ("cross-lingual", "as one language"):
        for lang in LANGS:
            for group, row in figures[mode][lang].items():
                cells = ", ".join(f"{k} {v}" for k, v in row.items())
                print(f"{mode:16} {lang}  {group:15} {cells}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
