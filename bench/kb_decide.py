"""Zero-shot answer / clarify / decline decisions: fitted across corpora, each set held out.

    python bench/kb_decide.py [--write knowledge_base/zero_shot.json] [--json OUT]

For every development set (bench/kb_sets.py) the shipped search configuration ranks every
query and records its decision features (normalised against the corpus's own near-miss scores,
see knowledge_base/reference.py). For each set held out, one decision model is fitted on all the
other sets together (each corpus weighing the same; every fitting query whose normalised text
occurs in the held-out set dropped, e.g. clinc150's out-of-scope queries when banking77 is held
out) and the held-out set is decided with it, never having been seen: decline AUROC (in-scope vs
out-of-scope confidence), two-way accuracy (answer iff the top document is right, else decline),
and three-way accuracy with the clarify band (a clarify is right when a relevant document is
among its three buttons, wrong for an out-of-scope query).

The shipped model is fitted on all sets; the clarify band ships only when three-way accuracy
>= two-way accuracy on every held-out set. ``--write`` stores it as the zero-shot decision model
(one model for both languages: its features are in corpus units)."""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.kb_sets import ALL_SETS, CACHE_DIR, ROOT, cached_embedder, load_set, normalised
from knowledge_base.calibration import ANY_SETTINGS, observe, save_zero_shot
from knowledge_base.config import SearchConfig
from knowledge_base.decision import DecisionModel, Observation, fit_decision, outcome_correct
from knowledge_base.evaluate import auroc
from knowledge_base.index import SearchIndex
from knowledge_base.knowledge_base import KnowledgeBase


def set_observations(name: str, config: SearchConfig) -> tuple[list[Observation], list[str]]:
    """Features and outcomes of every query of the set (kept in the cache directory, keyed by
    the settings and the code that computes them)."""
    code = b"".join(
        (ROOT / "knowledge_base" / f).read_bytes()
        for f in ("fusion.py", "reference.py", "index.py", "documents.py", "text.py")
    )
    key = hashlib.sha256(code + config.fingerprint().encode() + name.encode()).hexdigest()[:16]
    path = CACHE_DIR / f"observations-{name}-{key}.pkl"
    if path.exists():
        cached: tuple[list[Observation], list[str]] = pickle.loads(path.read_bytes())
        return cached
    result = _observe_set(name, config)
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(result))
    return result


def _observe_set(name: str, config: SearchConfig) -> tuple[list[Observation], list[str]]:
    dev = load_set(name)
    index = SearchIndex.build(dev.documents, config, cached_embedder)
    kb = KnowledgeBase(index, config)
    embedders = {}
    for spec in config.language(dev.lang).models:
        embedder = cached_embedder(spec)
        assert embedder is not None
        embedder.embed_queries([q.query for q in dev.queries])  # fills the cache in batches
        embedders[spec] = embedder
    kb._embedders = embedders
    observations = observe(kb, dev.queries)[dev.lang]
    return observations, [normalised(q.query) for q in dev.queries]


def decide_metrics(model: DecisionModel, obs: list[Observation]) -> dict[str, Any]:
    conf = np.array([model.confidence(o.features) for o in obs])
    in_scope = np.array([o.in_scope for o in obs])
    right = np.array([o.top1_right for o in obs])
    answer = conf >= model.answer_threshold
    clarify = ~answer & (conf >= model.clarify_threshold)
    two_way = outcome_correct(answer, np.zeros(len(obs), bool), obs)
    three_way = outcome_correct(answer, clarify, obs)
    return {
        "auroc": auroc(conf[in_scope].tolist(), conf[~in_scope].tolist())
        if (~in_scope).any()
        else None,
        "right_auroc": auroc(conf[right].tolist(), conf[~right].tolist())
        if (~right).any() and right.any()
        else None,
        "two_way": float(two_way.mean()),
        "three_way": float(three_way.mean()),
        "clarify_rate": float(clarify.mean()),
        "answer_rate": float(answer.mean()),
        "n": len(obs),
    }


SCOPE_CANDIDATES = (
    ("dense_top", "proto_top"),
    ("dense_top", "proto_top", "knn_share"),
    ("dense_top", "proto_top", "knn_share", "coverage", "bm25_top"),
    (),  # () = every feature
)


def fit(
    data: dict[str, tuple[list[Observation], list[str]]],
    names: list[str],
    key: str,
    drop: set[str],
    clarify: bool,
    scope: tuple[str, ...] = SCOPE_CANDIDATES[0],
) -> tuple[DecisionModel, int]:
    obs: list[Observation] = []
    groups: list[str] = []
    dropped = 0
    for name in names:
        for o, text in zip(*data[name], strict=True):
            if text in drop:
                dropped += 1
                continue
            obs.append(o)
            groups.append(name)
    features = scope or tuple(obs[0].features)
    return fit_decision(obs, key, groups, clarify=clarify, scope_features=features), dropped


def choose_scope(
    data: dict[str, tuple[list[Observation], list[str]]], names: list[str]
) -> tuple[str, ...]:
    """The scope model's features, by leave-one-set-out over ``names`` alone: the candidate
    with the best mean decline AUROC over those of its sets that have out-of-scope queries."""
    with_oos = [n for n in names if any(not o.in_scope for o in data[n][0])]
    best: tuple[float, tuple[str, ...]] | None = None
    for scope in SCOPE_CANDIDATES:
        values = []
        for held in with_oos:
            others = [n for n in names if n != held]
            model, _ = fit(data, others, ANY_SETTINGS, set(data[held][1]), False, scope)
            values.append(decide_metrics(model, data[held][0])["auroc"])
        value = float(np.mean(values)) if values else 0.0
        if best is None or value > best[0] + 0.0005:
            best = (value, scope)
    assert best is not None
    return best[1]


def run(names: list[str], write: Path | None = None, verbose: bool = True) -> dict[str, Any]:
    """Leave-one-set-out decisions (see the module docstring); ``write``: store the model
    fitted on all sets as the zero-shot model."""
    config = SearchConfig()
    data = {name: set_observations(name, config) for name in names}
    corpus = {
        name: {normalised(c.text) for d in load_set(name).documents for c in d.chunks}
        for name in names
    }
    report: dict[str, Any] = {"folds": {}}
    for held in names:
        drop = set(data[held][1]) | corpus[held]
        others = [n for n in names if n != held]
        scope = choose_scope(data, others)
        two, dropped = fit(data, others, ANY_SETTINGS, drop, False, scope)
        three, _ = fit(data, others, ANY_SETTINGS, drop, True, scope)
        row = {
            "scope_features": list(scope) or "all",
            "dropped_fitting_queries": dropped,
            "two_way_model": decide_metrics(two, data[held][0]),
            "with_clarify_band": decide_metrics(three, data[held][0]),
        }
        report["folds"][held] = row
        if verbose:
            print(held, json.dumps(row), flush=True)
    band_pays = all(
        row["with_clarify_band"]["three_way"] >= row["two_way_model"]["two_way"]
        for row in report["folds"].values()
    )
    scope = choose_scope(data, names)
    shipped, _ = fit(data, names, ANY_SETTINGS, set(), band_pays, scope)
    report["clarify_band_ships"] = band_pays
    report["scope_features"] = list(scope) or "all"
    report["shipped"] = shipped.to_json()
    if write is not None:
        save_zero_shot(write, shipped, {name: len(data[name][0]) for name in names})
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", help="store the shipped model in this file")
    parser.add_argument("--json", help="write the results to this file")
    parser.add_argument("--sets", default=",".join(ALL_SETS))
    args = parser.parse_args()
    names = [n for n in args.sets.split(",") if n]
    report = run(names, Path(args.write) if args.write else None)
    print("clarify band ships:", report["clarify_band_ships"], flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
