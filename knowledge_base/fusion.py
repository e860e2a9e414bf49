"""Ranking by score-level fusion, and the per-query features the decision model reads.

Each signal (BM25, each dense model) scores every chunk; a document takes its best chunk per
signal; the per-document scores of each signal are z-normalised over the documents of this
query and summed with the language's weights. Measured against reciprocal-rank fusion and
max-normalisation on the eval sets: z-score fusion is best (see bench/kb_bench.py)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from knowledge_base.config import LanguageSettings
from knowledge_base.embedders import Embedder
from knowledge_base.index import SearchIndex
from knowledge_base.text import tokenize

Vector = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]
_EPS = 1e-6


@dataclass(frozen=True)
class Ranking:
    """Documents of the index (by position in ``index.doc_ids``) best first, their fused
    scores, their best chunk, and the features of this query for the decision model."""

    order: IntArray
    scores: Vector
    best_chunk: IntArray
    chunk_scores: Vector
    features: dict[str, float]


def _doc_max(index: SearchIndex, chunk_scores: Vector) -> Vector:
    return np.maximum.reduceat(chunk_scores, index.doc_starts).astype(np.float32)


def _z(values: Vector) -> tuple[Vector, float, float]:
    mean, std = float(values.mean()), float(values.std())
    return (values - mean) / (std + _EPS), mean, std + _EPS


def rank(
    index: SearchIndex,
    query: str,
    lang: str,
    settings: LanguageSettings,
    embedders: dict[str, Embedder],
) -> Ranking:
    """Score every document of the index for the query (in language ``lang``)."""
    tokens = tokenize(query, lang)
    signals: list[tuple[str, float, Vector]] = []
    if settings.bm25_weight > 0:
        signals.append(("bm25", settings.bm25_weight, index.bm25.scores(tokens)))
    for spec, weight in zip(settings.models, settings.dense_weights, strict=True):
        if weight <= 0 or spec not in index.dense:
            continue
        vector = embedders[spec].embed_queries([query])[0]
        chunk_scores = index.dense[spec].scores(vector)
        covered = np.isin(index.chunk_lang, index.dense_langs[spec])
        floor = float(chunk_scores[covered].min()) if covered.any() else 0.0
        signals.append((spec, weight, np.where(covered, chunk_scores, floor).astype(np.float32)))
    n_docs = len(index.doc_starts)
    fused_docs = np.zeros(n_docs, np.float32)
    fused_chunks = np.zeros(len(index.chunks), np.float32)
    tops: dict[str, tuple[Vector, Vector]] = {}
    for name, weight, chunk_scores in signals:
        doc_scores = _doc_max(index, chunk_scores)
        z_docs, mean, std = _z(doc_scores)
        fused_docs += weight * z_docs
        fused_chunks += weight * (chunk_scores - mean) / std
        tops[name] = (doc_scores, z_docs)
    order = np.argsort(-fused_docs, kind="stable").astype(np.int64)
    best_rel = [
        int(np.argmax(fused_chunks[s:e]))
        for s, e in zip(
            index.doc_starts, np.r_[index.doc_starts[1:], len(index.chunks)], strict=True
        )
    ]
    best_chunk = (index.doc_starts + np.array(best_rel, np.int64)).astype(np.int64)
    return Ranking(
        order,
        fused_docs,
        best_chunk,
        fused_chunks,
        _features(index, tokens, order, fused_docs, tops),
    )


def _features(
    index: SearchIndex,
    tokens: list[str],
    order: IntArray,
    fused: Vector,
    tops: dict[str, tuple[Vector, Vector]],
) -> dict[str, float]:
    top = int(order[0]) if len(order) else 0
    second = int(order[1]) if len(order) > 1 else top
    features = {
        "fused_top": float(fused[top]),
        "fused_margin": float(fused[top] - fused[second]),
        "coverage": index.bm25.coverage(tokens),
    }
    agree = 0
    for name, (doc_scores, _) in tops.items():
        agree += int(np.argmax(doc_scores)) == top
        if name == "bm25":
            mass = index.bm25.idf_mass(tokens)
            features["bm25_top"] = float(doc_scores[top]) / (mass + 1.0)
        else:
            features[f"cos_top:{name}"] = float(doc_scores[top])
            features[f"cos_margin:{name}"] = float(doc_scores[top] - doc_scores[second])
    features["agreement"] = agree / max(len(tops), 1)
    return features
