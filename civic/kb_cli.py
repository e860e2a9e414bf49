"""`civic kb ...` commands: build, search, import, eval, calibrate, check, reload.

Hook into the main CLI with ``add_kb_commands(subparsers)``; each sub-command sets
``func(args) -> int``. Paths default to knowledge_base/guides and var/index/guides under the
project root (``--root`` or CIVIC_ROOT; default: the directory holding civic/)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from knowledge_base import (
    GuideError,
    KnowledgeBase,
    KnowledgeBaseError,
    SearchConfig,
    read_queries,
)
from knowledge_base.calibration import calibrate, save_decisions
from knowledge_base.dataset import LabelledQuery, faq_documents, split_queries
from knowledge_base.embedders import limit_threads
from knowledge_base.evaluate import EvalReport, evaluate
from knowledge_base.importer import import_faqs

DEV_QUERIES = ("queries-en.jsonl", "queries-zh.jsonl")


def _root(args: argparse.Namespace) -> Path:
    if args.root:
        return Path(args.root).resolve()
    if os.environ.get("CIVIC_ROOT"):
        return Path(os.environ["CIVIC_ROOT"]).resolve()
    return Path(__file__).resolve().parent.parent


def _paths(args: argparse.Namespace) -> tuple[Path, Path]:
    root = _root(args)
    guides = Path(args.guides) if args.guides else root / "knowledge_base" / "guides"
    index = Path(args.index) if args.index else root / "var" / "index" / "guides"
    return guides, index


def _open(args: argparse.Namespace) -> KnowledgeBase:
    guides, index = _paths(args)
    return KnowledgeBase.open(guides, index, SearchConfig.from_env(os.environ))


def _cmd_build(args: argparse.Namespace) -> int:
    kb = _open(args)
    _, index = _paths(args)
    print(
        f"index {index}: {len(kb.guides('en'))} en + {len(kb.guides('zh'))} zh guides, "
        f"{len(kb.index.chunks)} chunks; calibrated for {sorted(kb.decisions) or 'nothing'}"
    )
    return 0


def _cmd_search(args: argparse.Namespace) -> int:
    limit_threads(int(os.environ.get("CIVIC_TORCH_THREADS") or 1))
    kb = _open(args)
    result = kb.search(args.text, args.lang, top_k=args.top_k)
    if args.json:
        data: dict[str, Any] = {
            "outcome": result.outcome,
            "lang": result.lang,
            "confidence": result.confidence,
            "elapsed_ms": result.elapsed_ms,
            "hits": [hit.__dict__ for hit in result.hits],
        }
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    print(f"{result.outcome} (confidence {result.confidence:.2f}, {result.elapsed_ms:.1f} ms)")
    for n, hit in enumerate(result.hits, 1):
        snippet = " ".join(hit.chunk_text.split())[:90]
        print(f"{n}. {hit.score:6.2f}  {hit.guide_id} [{hit.lang}] {hit.title}")
        print(f"           {hit.section}: {snippet}")
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    out = Path(args.out) if args.out else _root(args) / "var" / "import" / Path(args.file).stem
    written = import_faqs(Path(args.file), out)
    print(f"wrote {len(written)} guide drafts under {out} (complete the TODO fields)")
    return 0


def _print_report(report: EvalReport, as_json: bool, extra: dict[str, Any]) -> None:
    data = {**report.to_json(), **extra}
    if as_json:
        print(json.dumps(data, indent=2))
        return
    for key, value in data.items():
        print(f"{key:18} {value:.3f}" if isinstance(value, float) else f"{key:18} {value}")


def _cmd_eval(args: argparse.Namespace) -> int:
    limit_threads(int(os.environ.get("CIVIC_TORCH_THREADS") or 1))
    config = SearchConfig.from_env(os.environ)
    kb = KnowledgeBase.from_documents(faq_documents(Path(args.faqs)), config)
    queries = read_queries(Path(args.queries))
    split = f"all {len(queries)} queries; zero-shot decisions (nothing fitted on this corpus)"
    if not args.no_calibrate:
        calibration, queries = split_queries(queries)
        kb = kb.with_decisions(calibrate(kb, calibration))
        split = f"held-out half ({len(queries)}); decisions calibrated on the other half"
    _print_report(evaluate(kb, queries), args.json, {"split": split})
    return 0


def _agents_labels(args: argparse.Namespace) -> list[LabelledQuery]:
    """The questions agents labelled in the console (insights/question_labels.py), as queries:
    the guide they chose is the relevant one; "no guide" makes it out of scope."""
    from bot.storage.db import Database
    from civic.db_cli import database_url
    from insights.question_labels import labelled_questions

    var_dir = os.environ.get("CIVIC_VAR_DIR") or str(_root(args) / "var")
    db = Database(database_url({**os.environ, "CIVIC_VAR_DIR": var_dir}))
    try:
        db.migrate()
        rows = labelled_questions(db)
    finally:
        db.dispose()
    return [
        LabelledQuery(row.text, (row.guide,) if row.guide else (), row.lang)
        for row in rows
        if row.text.strip() and row.lang in ("en", "zh")
    ]


def _cmd_calibrate(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from bot.errors import StoreUnavailable

    limit_threads(int(os.environ.get("CIVIC_TORCH_THREADS") or 1))  # timings as the bot runs
    kb = _open(args)
    dev = _root(args) / "knowledge_base" / "dev"
    queries = (
        []
        if args.no_dev
        else [q for name in DEV_QUERIES if (dev / name).exists() for q in read_queries(dev / name)]
    )
    labels: list[LabelledQuery] = []
    if not args.no_labels:
        try:
            labels = _agents_labels(args)
        except (StoreUnavailable, SQLAlchemyError) as exc:
            print(f"error: agents' labels unreadable ({type(exc).__name__}); --no-labels "
                  "skips them",
                  file=sys.stderr)  # fmt: skip
            return 2
    known = set(kb.index.doc_ids)
    usable = [q for q in queries + labels if not q.relevant or set(q.relevant) & known]
    dropped = len(queries) + len(labels) - len(usable)
    print(f"{len(queries)} development queries, {len(labels)} labelled by agents"
          + (f"; {dropped} dropped (their guide is gone)" if dropped else ""))  # fmt: skip
    calibration, held_out = split_queries(usable)
    if not calibration:
        print("error: no labelled queries to calibrate on", file=sys.stderr)
        return 2
    decisions = calibrate(kb, calibration)
    counts: dict[str, int] = {}
    for query in calibration:
        counts[query.lang] = counts.get(query.lang, 0) + 1
    save_decisions(kb.config.calibration_path, decisions, counts)
    print(f"wrote {kb.config.calibration_path} from {len(calibration)} calibration queries")
    kb = kb.with_decisions(decisions)
    for lang in ("en", "zh"):
        part = [q for q in held_out if q.lang == lang]
        if part:
            print(f"held-out {lang} ({len(part)} queries):")
            _print_report(evaluate(kb, part), False, {})
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    from civic.kb_check import options_from, print_findings, reuse_or_build, run_check

    guides, index = _paths(args)
    try:
        options = options_from(args)
    except ValueError as exc:
        print(f"error: --as-of: {exc}", file=sys.stderr)
        return 2
    config = SearchConfig.from_env(os.environ)
    open_kb = None
    if not args.no_search:
        limit_threads(int(os.environ.get("CIVIC_TORCH_THREADS") or 1))
        kb = None
        try:  # the saved index, brought up to date as `civic kb build` does
            kb = KnowledgeBase.open(guides, index, config)
        except GuideError:
            pass  # a malformed guide: the search checks run over the others, in memory
        open_kb = reuse_or_build(kb, index, config)
    findings = run_check(guides, options, open_kb)
    print_findings(findings, args.json, print)
    return 1 if any(f.level == "error" for f in findings) else 0


def _cmd_reload(args: argparse.Namespace) -> int:
    from civic.kb_reload import reload_command

    var_dir = Path(os.environ.get("CIVIC_VAR_DIR") or _root(args) / "var")
    return reload_command(os.environ, var_dir, args.timeout, print)


def add_kb_commands(subparsers: Any) -> argparse.ArgumentParser:
    """Add the `kb` command group to an argparse subparsers object."""
    kb: argparse.ArgumentParser = subparsers.add_parser(
        "kb", help="knowledge base: build, search, import, eval, calibrate, check, reload"
    )
    kb.add_argument("--root", help="project root (default: CIVIC_ROOT or the source tree)")
    kb.add_argument("--guides", help="guides directory (default: knowledge_base/guides)")
    kb.add_argument("--index", help="index directory (default: var/index/guides)")
    commands = kb.add_subparsers(dest="kb_command", required=True)
    commands.add_parser("build", help="build the index (or reuse it)").set_defaults(func=_cmd_build)
    search = commands.add_parser("search", help="search the guides")
    search.add_argument("text")
    search.add_argument("--lang", choices=("en", "zh"))
    search.add_argument("--top-k", type=int, default=5)
    search.add_argument("--json", action="store_true")
    search.set_defaults(func=_cmd_search)
    imp = commands.add_parser("import", help="turn an eval-format FAQ file into guide drafts")
    imp.add_argument("file")
    imp.add_argument("--out", help="output directory (default: var/import/<file stem>)")
    imp.set_defaults(func=_cmd_import)
    ev = commands.add_parser("eval", help="evaluate on an eval-format FAQ + query set")
    ev.add_argument("--faqs", required=True)
    ev.add_argument("--queries", required=True)
    ev.add_argument("--json", action="store_true")
    ev.add_argument(
        "--no-calibrate",
        action="store_true",
        help="decide every query with the shipped zero-shot model (fitted on other corpora) "
        "instead of calibrating on half of the queries",
    )
    ev.set_defaults(func=_cmd_eval)
    cal = commands.add_parser(
        "calibrate",
        help="fit the answer/clarify/decline model on the calibration half of the dev queries "
        "and of the questions agents labelled in the console",
    )
    cal.add_argument("--no-labels", action="store_true", help="leave out the agents' labels")
    cal.add_argument("--no-dev", action="store_true", help="leave out knowledge_base/dev")
    cal.set_defaults(func=_cmd_calibrate)
    check = commands.add_parser(
        "check", help="check the guides: format, links, plain summaries, duplicates, reviews"
    )
    check.add_argument("--as-of", help="the date reviews are aged against (default: today)")
    check.add_argument(
        "--max-age-days",
        type=int,
        help="a review older than this is stale (default: CIVIC_GUIDE_STALE_DAYS or 365)",
    )
    check.add_argument("--strict", action="store_true", help="stale reviews are errors")
    check.add_argument(
        "--no-search",
        action="store_true",
        help="skip the search checks (sample questions won by another guide, duplicates)",
    )
    check.add_argument("--json", action="store_true")
    check.set_defaults(func=_cmd_check)
    reload = commands.add_parser(
        "reload",
        help="make the running action servers rebuild from the guides and switch; "
        "returns when all serve the new index",
    )
    reload.add_argument("--timeout", type=float, default=900.0, help="seconds (default 900)")
    reload.set_defaults(func=_cmd_reload)
    return kb


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry point: ``python -m civic.kb_cli kb search ...``."""
    parser = argparse.ArgumentParser(prog="civic")
    add_kb_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except KnowledgeBaseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
