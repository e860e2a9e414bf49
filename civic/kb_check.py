"""`civic kb check`: what is wrong with the guides, before citizens see it.

Files (knowledge_base/check.py): malformed guides and sections, broken links between guides,
review dates (older than ``--max-age-days``: a warning, an error with ``--strict``; ``--as-of``
fixes "today" for tests); the simplified-mode summary against simplified mode's own limits and
readability measures (bot/simple_mode). Search (knowledge_base/check_search.py, with the real
models over the well-formed guides): sample questions a guide does not win, near-duplicate
guides. Exit status 1 when there is an error, 0 otherwise (warnings allowed)."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.simple_mode.plain_language import jargon_in
from bot.simple_mode.readability import too_complex
from bot.simple_mode.rules import limit, size
from knowledge_base import KnowledgeBase, SearchConfig
from knowledge_base.check import ERROR, CheckOptions, Finding, check_files
from knowledge_base.check_search import index_vectors, search_findings
from knowledge_base.documents import document_from_guide
from knowledge_base.embedders import Matrix
from knowledge_base.guide import Guide
from knowledge_base.index import SearchIndex, reusable_vectors
from knowledge_base.manifest import build_manifest

DEFAULT_MAX_AGE_DAYS = 365  # as the console's stale-guides page (CIVIC_GUIDE_STALE_DAYS)


def simple_problems(text: str, lang: str) -> list[str]:
    """Why simplified mode cannot show this summary as it is: too long, too hard, jargon."""
    problems = []
    if size(text, lang) > limit(lang):
        unit = "characters" if lang == "zh" else "words"
        problems.append(f"{size(text, lang)} {unit} (simplified mode shows at most {limit(lang)})")
    hard = too_complex(text, lang)
    if hard:
        problems.append(f"too hard: {hard}")
    terms = jargon_in(text, lang)
    if terms:
        problems.append(f"official terms {terms} (use the plain words of simplified mode)")
    return problems


def knowledge_base_for(
    guides: list[Guide], config: SearchConfig, previous: dict[str, dict[str, Matrix]]
) -> KnowledgeBase:
    """A knowledge base over exactly these guides, in memory, reusing ``previous`` vectors for
    every unchanged chunk (a check writes nothing)."""
    documents = [document_from_guide(g) for g in guides]
    return KnowledgeBase(SearchIndex.build(documents, config, previous=previous), config, guides)


def run_check(
    guides_dir: Path,
    options: CheckOptions,
    open_kb: Callable[[list[Guide]], KnowledgeBase] | None,
) -> list[Finding]:
    """Every finding, files first; ``open_kb`` gives the knowledge base of the well-formed
    guides for the search checks (None skips them)."""
    guides, findings = check_files(guides_dir, options)
    if open_kb is not None and len(guides) > 1:
        findings += search_findings(open_kb(guides), guides)
    order = {ERROR: 0}
    return sorted(findings, key=lambda f: (order.get(f.level, 1), f.file, f.check))


def reuse_or_build(
    kb: KnowledgeBase | None, index_dir: Path, config: SearchConfig
) -> Callable[[list[Guide]], KnowledgeBase]:
    """``open_kb`` for run_check: ``kb`` itself when it holds exactly these guides, else one in
    memory reusing its vectors (or the saved index's in index_dir)."""

    def open_kb(guides: list[Guide]) -> KnowledgeBase:
        if kb is not None:
            held = {(g.id, g.lang): g for lang in ("en", "zh") for g in kb.guides(lang)}
            if held == {(g.id, g.lang): g for g in guides}:
                return kb
            return knowledge_base_for(guides, config, index_vectors(kb.index))
        documents = [document_from_guide(g) for g in guides]
        models = build_manifest(documents, config)["models"]
        return knowledge_base_for(guides, config, reusable_vectors(index_dir, models))

    return open_kb


def print_findings(findings: list[Finding], as_json: bool, out: Callable[[str], None]) -> None:
    errors = sum(f.level == ERROR for f in findings)
    warnings = len(findings) - errors
    if as_json:
        data = {
            "errors": errors,
            "warnings": warnings,
            "findings": [f.to_json() for f in findings],
        }
        out(json.dumps(data, ensure_ascii=False, indent=2))
        return
    for f in findings:
        out(f"{f.level:7} {f.check:12} {f.file or '-'}: {f.message}")
    out(f"{errors} error(s), {warnings} warning(s)")


def options_from(args: Any) -> CheckOptions:
    max_age = args.max_age_days
    if max_age is None:
        raw = os.environ.get("CIVIC_GUIDE_STALE_DAYS", "")
        max_age = int(raw) if raw.isdigit() and int(raw) > 0 else DEFAULT_MAX_AGE_DAYS
    as_of = dt.date.fromisoformat(args.as_of) if args.as_of else dt.date.today()
    return CheckOptions(as_of, max_age, args.strict, simple_problems)
