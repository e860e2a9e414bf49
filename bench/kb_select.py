"""Choosing the search configuration per language by leave-one-set-out over every development set.

    python bench/kb_select.py [--json OUT]

For every set (bench/kb_sets.py) each signal (BM25, each candidate dense model) scores every
chunk of the set's corpus for every query, exactly as knowledge_base.fusion does; a
configuration (which models, their weights, BM25's weight, the chunk aggregation) is then just
arithmetic on those scores, so thousands of configurations are compared in minutes.

Objective: mean MAP over the fitting sets of the language (in-scope queries). For each set
held out, the configuration is chosen on the language's other sets, with every fitting query
whose normalised text occurs in the held-out set (its queries or FAQ questions) dropped; the
held-out set is then scored with that choice. The shipped configuration is the one chosen on
all the language's sets. Ties (within 0.0005 MAP) go to the cheaper configuration (fewer
models, then the lower weights)."""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.kb_sets import ALL_SETS, DevSet, cached_embedder, load_set, normalised
from knowledge_base.config import LanguageSettings, SearchConfig
from knowledge_base.fusion import _doc_max, _topk_mean
from knowledge_base.index import SearchIndex
from knowledge_base.text import tokenize

Array = npt.NDArray[np.float32]
MODELS = {
    lang: tuple(os.environ.get(f"CIVIC_KB_SELECT_{lang.upper()}", default).split(","))
    for lang, default in (("en", "minilm,use,e5,mpnet"), ("zh", "use,e5"))
}  # the candidate dense models per language
BM25_WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.5, 0.8)
DENSE_WEIGHTS = (0.0, 0.25, 0.5, 1.0)
KNN_WEIGHTS = (0.0, 0.5, 1.0)
PROTO_WEIGHTS = (0.0, 0.25, 0.5)
KNNS = (3, 5)
OBJECTIVE = os.environ.get("CIVIC_KB_SELECT_OBJECTIVE", "mean")
MODEL_COST = {"minilm": 10.0, "use": 3.0, "e5": 26.0, "mpnet": 39.0}  # query ms measured here


@dataclass
class SetScores:
    """Per signal: (queries x documents) best chunk, kNN mean and prototype cosine."""

    name: str
    lang: str
    best: dict[str, Array]
    knn: dict[tuple[str, int], Array]
    proto: dict[str, Array]
    relevant: list[list[int]]  # per in-scope query: relevant document positions
    in_scope: npt.NDArray[np.bool_]
    texts: list[str]  # normalised query texts (all queries, aligned with in_scope)
    corpus_texts: set[str]


def index_config(lang: str) -> SearchConfig:
    models = MODELS[lang]
    settings = LanguageSettings(models, 1.0, (1.0,) * len(models))
    return SearchConfig().with_language(lang, settings)


def set_scores(dev: DevSet) -> SetScores:
    config = index_config(dev.lang)
    index = SearchIndex.build(dev.documents, config, cached_embedder)
    position = {doc_id: i for i, doc_id in enumerate(index.doc_ids)}
    queries = dev.queries
    best: dict[str, list[Array]] = {}
    knn: dict[tuple[str, int], list[Array]] = {}
    proto: dict[str, list[Array]] = {}
    vectors = {}
    for spec in MODELS[dev.lang]:
        embedder = cached_embedder(spec)
        assert embedder is not None
        vectors[spec] = embedder.embed_queries([q.query for q in queries])
    for n, query in enumerate(queries):
        bm25 = index.bm25.scores(tokenize(query.query, query.lang))
        best.setdefault("bm25", []).append(_doc_max(index, bm25))
        for spec in MODELS[dev.lang]:
            chunk_scores = index.dense[spec].scores(vectors[spec][n])
            covered = index.covered[spec]
            if not covered.all():
                floor = float(chunk_scores[covered].min()) if covered.any() else 0.0
                chunk_scores = np.where(covered, chunk_scores, floor).astype(np.float32)
            best.setdefault(spec, []).append(_doc_max(index, chunk_scores))
            for k in KNNS:
                knn.setdefault((spec, k), []).append(_topk_mean(index, chunk_scores, k))
            proto.setdefault(spec, []).append(index.prototypes[spec] @ vectors[spec][n])
    relevant = [[position[r] for r in q.relevant if r in position] for q in queries]
    corpus = {normalised(c.text) for c in index.chunks if c.section in ("question", "title")}
    return SetScores(
        dev.name,
        dev.lang,
        {k: np.stack(v) for k, v in best.items()},
        {k: np.stack(v) for k, v in knn.items()},
        {k: np.stack(v) for k, v in proto.items()},
        relevant,
        np.array([q.in_scope for q in queries]),
        [normalised(q.query) for q in queries],
        corpus,
    )


@dataclass(frozen=True)
class Candidate:
    bm25: float
    dense: tuple[float, ...]  # one weight per MODELS[lang] entry
    knn_weight: float
    proto_weight: float
    knn: int

    def cost(self, lang: str) -> tuple[float, float]:
        used = sum(MODEL_COST[m] for m, w in zip(MODELS[lang], self.dense, strict=True) if w)
        return used, self.bm25 + sum(self.dense) + self.knn_weight + self.proto_weight

    def settings(self, lang: str) -> LanguageSettings:
        used = [(m, w) for m, w in zip(MODELS[lang], self.dense, strict=True) if w > 0]
        return LanguageSettings(
            tuple(m for m, _ in used),
            self.bm25,
            tuple(w for _, w in used),
            self.proto_weight,
            self.knn_weight,
            self.knn,
        )

    def label(self, lang: str) -> str:
        parts = [f"bm25 {self.bm25:g}"] if self.bm25 else []
        parts += [f"{m} {w:g}" for m, w in zip(MODELS[lang], self.dense, strict=True) if w]
        agg = f"knn {self.knn_weight:g}x{self.knn}, proto {self.proto_weight:g}"
        return " + ".join(parts) + f" ({agg})"


def candidates(lang: str) -> list[Candidate]:
    out = []
    n = len(MODELS[lang])
    for bm25 in BM25_WEIGHTS:
        for dense in itertools.product(DENSE_WEIGHTS, repeat=n):
            weights = (bm25, *dense)
            if max(dense) != 1.0 and not (not any(dense) and bm25 == 1.0):
                continue  # scale-free: the largest dense weight is 1 (or BM25 alone)
            if not any(weights):
                continue
            for kw, pw in itertools.product(KNN_WEIGHTS, PROTO_WEIGHTS):
                for k in KNNS if kw else (KNNS[-1],):
                    out.append(Candidate(bm25, dense, kw, pw, k))
    out += [Candidate(1.0, (0.0,) * n, 0.0, 0.0, KNNS[-1])]  # BM25 alone
    return sorted(set(out), key=lambda c: (c.cost(lang), c.dense, c.bm25))


def singles(lang: str) -> dict[str, Candidate]:
    """BM25 alone and each dense model alone, with the shipped aggregation filled in later."""
    n = len(MODELS[lang])
    out = {"bm25": Candidate(1.0, (0.0,) * n, 0.0, 0.0, 5)}
    for i, model in enumerate(MODELS[lang]):
        out[model] = Candidate(0.0, tuple(1.0 if j == i else 0.0 for j in range(n)), 0, 0, 5)
    return out


def _z(values: Array) -> Array:
    mean = values.mean(axis=1, keepdims=True)
    std = values.std(axis=1, keepdims=True) + 1e-6
    out: Array = ((values - mean) / std).astype(np.float32)
    return out


class Scorer:
    """Metrics of candidates on one set, caching the z-normalised signal matrices."""

    def __init__(self, scores: SetScores, mask: npt.NDArray[np.bool_] | None = None) -> None:
        self.s = scores
        keep = scores.in_scope if mask is None else scores.in_scope & mask
        self.rows = np.flatnonzero(keep)
        self.rel = [scores.relevant[i] for i in self.rows]
        self._z: dict[tuple[str, float, float, int], Array] = {}
        self._metrics: dict[Candidate, dict[str, float]] = {}

    def signal(self, name: str, kw: float, pw: float, k: int) -> Array:
        key = (name, kw, pw, k) if name != "bm25" else (name, 0.0, 0.0, 0)
        if key not in self._z:
            docs = self.s.best[name][self.rows]
            if name != "bm25":
                if kw:
                    docs = docs + kw * self.s.knn[(name, k)][self.rows]
                if pw:
                    docs = docs + pw * self.s.proto[name][self.rows]
            self._z[key] = _z(docs)
        return self._z[key]

    def fused(self, c: Candidate) -> Array:
        total = np.zeros((len(self.rows), self.s.best["bm25"].shape[1]), np.float32)
        if c.bm25:
            total += c.bm25 * self.signal("bm25", 0, 0, 0)
        for model, w in zip(MODELS[self.s.lang], c.dense, strict=True):
            if w:
                total += w * self.signal(model, c.knn_weight, c.proto_weight, c.knn)
        return total

    def metrics(self, c: Candidate) -> dict[str, float]:
        if c not in self._metrics:
            self._metrics[c] = self._compute(c)
        return self._metrics[c]

    def _compute(self, c: Candidate) -> dict[str, float]:
        fused = self.fused(c)
        ap = np.zeros(len(self.rows))
        r1 = np.zeros(len(self.rows))
        width = max((len(r) for r in self.rel), default=1)
        rel = np.full((len(self.rows), width), -1)
        for i, r in enumerate(self.rel):
            rel[i, : len(r)] = r
        valid = rel >= 0
        rel_scores = np.where(valid, np.take_along_axis(fused, np.maximum(rel, 0), 1), np.inf)
        # rank (1-based) of each relevant doc; ties count against it (stable order is arbitrary)
        ranks = (fused[:, None, :] >= rel_scores[:, :, None]).sum(-1)
        ranks = np.where(valid, ranks, 10**6)
        ranks.sort(axis=1)
        hits = np.arange(1, width + 1)[None, :]
        inside = ranks <= 10
        n_rel = np.maximum(valid.sum(1), 1)
        ap = np.where(inside, hits / ranks, 0).sum(1) / n_rel
        r1 = ranks[:, 0] == 1
        return {"map": float(ap.mean()), "r1": float(r1.mean()), "n": float(len(self.rows))}


def single_maps(scorer: Scorer, c: Candidate) -> float:
    """The best single method's MAP with the candidate's aggregation."""
    return max(
        scorer.metrics(Candidate(s.bm25, s.dense, c.knn_weight, c.proto_weight, c.knn))["map"]
        for s in singles(scorer.s.lang).values()
    )


def objective(scorers: list[Scorer], c: Candidate) -> float:
    """Mean MAP over the fitting sets, or (OBJECTIVE=ratio) the worst ratio of MAP to the
    best single method's MAP (same aggregation) plus a hundredth of the mean MAP."""
    maps = [s.metrics(c)["map"] for s in scorers]
    if OBJECTIVE == "ratio":
        ratios = [m / single_maps(s, c) for m, s in zip(maps, scorers, strict=True)]
        return float(min(ratios) + 0.01 * np.mean(maps))
    return float(np.mean(maps))


def choose(scorers: list[Scorer], lang: str) -> tuple[Candidate, float]:
    best: tuple[float, Candidate] | None = None
    for c in candidates(lang):
        value = objective(scorers, c)
        if best is None or value > best[0] + 0.0005:
            best = (value, c)
    assert best is not None
    return best[1], best[0]


def select(sets: dict[str, SetScores], verbose: bool = True) -> dict[str, Any]:
    """Leave-one-set-out per language (see the module docstring)."""
    report: dict[str, Any] = {}
    for lang in ("en", "zh"):
        names = [n for n, s in sets.items() if s.lang == lang]
        if not names:
            continue
        shipped, value = choose([Scorer(sets[n]) for n in names], lang)
        report[lang] = {
            "shipped": shipped.label(lang),
            "shipped_settings": shipped.settings(lang).__dict__,
            "fit_map": value,
            "folds": {},
        }
        if verbose:
            print(f"{lang}: shipped {shipped.label(lang)} (mean MAP {value:.4f})", flush=True)
        for held in names:
            held_texts = set(sets[held].texts) | sets[held].corpus_texts
            fitting, dropped = [], 0
            for n in names:
                if n == held:
                    continue
                mask = np.array([t not in held_texts for t in sets[n].texts])
                dropped += int((~mask).sum())
                fitting.append(Scorer(sets[n], mask))
            chosen, _ = choose(fitting, lang)
            target = Scorer(sets[held])
            row: dict[str, Any] = {
                "chosen": chosen.label(lang),
                "same_as_shipped": chosen == shipped,
                "dropped": dropped,
                "held_out": target.metrics(chosen),
                "shipped": target.metrics(shipped),
            }
            for name, single in singles(lang).items():
                agg = Candidate(
                    single.bm25, single.dense, chosen.knn_weight, chosen.proto_weight, chosen.knn
                )
                row[name] = target.metrics(agg)
            report[lang]["folds"][held] = row
            if verbose:
                print(held, json.dumps(row), flush=True)
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args()
    sets = {name: set_scores(load_set(name)) for name in ALL_SETS}
    report = select(sets)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
