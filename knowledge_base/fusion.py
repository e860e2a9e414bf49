"""Ranking by score-level fusion, and the per-query features the decision model reads.

Each signal (BM25, each dense model) scores every chunk. A document's BM25 score is its best
chunk; its dense score is its best chunk plus ``knn_weight`` x the mean of its ``knn`` best
question-like chunks (title, aliases, sample questions: a vote of the nearest paraphrases) plus
``proto_weight`` x the cosine to its prototype (the mean of those question vectors). The
per-document scores of each signal are z-normalised over the documents of this query and summed
with the language's weights. Measured against reciprocal-rank fusion and max-normalisation on
the eval sets: z-score fusion is best (see bench/kb_bench.py)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from knowledge_base.config import LanguageSettings
from knowledge_base.embedders import Embedder, embed_query
from knowledge_base.index import SearchIndex
from knowledge_base.text import tokenize

Vector = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
_EPS = 1e-6
_ANCHORS = 5  # guides in both languages needed to map one language's scores onto the other's
VOTERS = 10  # nearest chunks that vote in the knn_share feature


@dataclass(frozen=True)
class Ranking:
    """Documents of the index (by position in ``index.doc_ids``) best first, their fused
    scores, their best chunk, and the features of this query for the decision model."""

    order: IntArray
    scores: Vector
    best_chunk: IntArray
    chunk_scores: Vector
    features: dict[str, float]


@dataclass(frozen=True)
class _Signal:
    name: str
    weight: float
    chunks: Vector  # score of every chunk
    best: Vector  # best chunk per document
    docs: Vector  # the document score that is fused
    proto: Vector | None  # cosine to each document's prototype (dense signals)
    reaches_other: bool = False  # scores the documents of the other language only (see rank)
    # before _as_same_language: each document's best chunk and prototype cosines as measured
    # (the other language's documents' cross-lingual), for the decision features
    raw_best: Vector | None = None
    raw_proto: Vector | None = None


def _doc_max(index: SearchIndex, chunk_scores: Vector) -> Vector:
    return np.maximum.reduceat(chunk_scores, index.doc_starts).astype(np.float32)


def _z(values: Vector) -> tuple[Vector, float, float]:
    mean, std = float(values.mean()), float(values.std())
    return (values - mean) / (std + _EPS), mean, std + _EPS


def _topk_mean(index: SearchIndex, chunk_scores: Vector, k: int) -> Vector:
    """Mean of each document's k best question-like chunk scores (fewer when it has fewer)."""
    slots = index.question_slots
    padded = np.where(slots >= 0, chunk_scores[slots], -np.inf)
    k = min(k, padded.shape[1])
    top = -np.partition(-padded, k - 1, axis=1)[:, :k] if k < padded.shape[1] else padded
    valid = np.isfinite(top)
    counts = np.maximum(valid.sum(axis=1), 1)
    sums = np.where(valid, top, 0.0).sum(axis=1)
    return np.asarray(sums / counts, dtype=np.float32)


def _dense_signal(
    index: SearchIndex,
    spec: str,
    weight: float,
    vector: Vector,
    settings: LanguageSettings,
    lang: str,
    others: BoolArray | None,
) -> _Signal:
    chunk_scores = index.dense[spec].scores(vector)
    covered = index.covered[spec]
    if not covered.all():
        floor = float(chunk_scores[covered].min()) if covered.any() else 0.0
        chunk_scores = np.where(covered, chunk_scores, floor).astype(np.float32)
    proto = (index.prototypes[spec] @ vector).astype(np.float32)
    reaches = False
    raw_best = raw_proto = None
    if others is not None:
        own = others[index.chunk_doc]
        reaches = bool(covered[own].all())
        if reaches:
            raw_best, raw_proto = _doc_max(index, chunk_scores), proto
            chunk_scores, proto = _as_same_language(index, chunk_scores, proto, lang, others)
    best = _doc_max(index, chunk_scores)
    docs = best
    if settings.knn_weight > 0:
        docs = docs + settings.knn_weight * _topk_mean(index, chunk_scores, settings.knn)
    if settings.proto_weight > 0:
        docs = docs + settings.proto_weight * proto
    return _Signal(
        spec, weight, chunk_scores, best, docs.astype(np.float32), proto, reaches,
        raw_best, raw_proto,
    )  # fmt: skip


def _as_same_language(
    index: SearchIndex, chunks: Vector, proto: Vector, lang: str, others: BoolArray
) -> tuple[Vector, Vector]:
    """A multilingual model's cosines between a query and text in another language run lower
    than between a query and text in its own: a guide written in the other language only would
    lose to any guide in the query's language. Its chunks' (and prototype's) scores are mapped
    onto the query language's scale with this query's translation pairs as anchors: over the
    guides written in both languages, the mean and spread of their best chunk in the other
    language onto those of their best chunk in the query's (the whole of each language's chunks
    when fewer than five guides are in both)."""
    same = index.chunk_lang == lang
    if same.sum() < 2 or (~same).sum() < 2:
        return chunks, proto
    in_same = _doc_max(index, np.where(same, chunks, -np.inf).astype(np.float32))
    in_other = _doc_max(index, np.where(same, -np.inf, chunks).astype(np.float32))
    both = np.isfinite(in_same) & np.isfinite(in_other)
    if both.sum() >= _ANCHORS:
        own, other = in_same[both], in_other[both]
    else:
        own, other = chunks[same], chunks[~same]
    scale = float(own.std()) / (float(other.std()) + _EPS)
    shift = float(own.mean()) - float(other.mean()) * scale
    chunks = np.where(others[index.chunk_doc], chunks * scale + shift, chunks).astype(np.float32)
    proto = np.where(others, proto * scale + shift, proto).astype(np.float32)
    return chunks, proto


def rank(
    index: SearchIndex,
    query: str,
    lang: str,
    settings: LanguageSettings,
    embedders: dict[str, Embedder],
) -> Ranking:
    """Score every document of the index for the query (in language ``lang``)."""
    tokens = tokenize(query, lang)
    lacking = index.lacks.get(lang)
    others = lacking if lacking is not None and lacking.any() else None
    signals: list[_Signal] = []
    if settings.bm25_weight > 0:
        bm25 = index.bm25.scores(tokens)
        best = _doc_max(index, bm25)
        signals.append(_Signal("bm25", settings.bm25_weight, bm25, best, best, None))
    dense = [
        (spec, weight)
        for spec, weight in zip(settings.models, settings.dense_weights, strict=True)
        if weight > 0 and spec in index.dense
    ]
    vectors = embed_query([embedders[spec] for spec, _ in dense], query)
    for (spec, weight), vector in zip(dense, vectors, strict=True):
        signals.append(_dense_signal(index, spec, weight, vector[0], settings, lang, others))
    n_docs = len(index.doc_starts)
    fused_docs = np.zeros(n_docs, np.float32)
    fused_chunks = np.zeros(len(index.chunks), np.float32)
    z_of: list[Vector] = []
    for signal in signals:
        z_docs, mean, std = _z(signal.docs)
        z_of.append(z_docs)
        fused_docs += signal.weight * z_docs
        fused_chunks += signal.weight * (signal.chunks - mean) / std
    if others is not None:
        fused_docs = _fused_others(signals, z_of, fused_docs, others)
    order = np.argsort(-fused_docs, kind="stable").astype(np.int64)
    best_chunk = _best_chunks(index, fused_chunks)
    return Ranking(
        order,
        fused_docs,
        best_chunk,
        fused_chunks,
        _features(index, tokens, lang, order, fused_docs, signals, others),
    )


def _fused_others(
    signals: list[_Signal], z_of: list[Vector], fused: Vector, others: BoolArray
) -> Vector:
    """The fused score of each guide written only in the other language, from the signals
    that can score it (multilingual models; not BM25, not a model of the query's language
    only), scaled to the total weight as if the others agreed with them. Without any such
    signal the guide keeps its score. ``z_of``: each signal's z-normalised document scores."""
    reaching = [(s.weight, z) for s, z in zip(signals, z_of, strict=True) if s.reaches_other]
    reached = sum(weight for weight, _ in reaching)
    if reached <= 0:
        return fused
    total = sum(s.weight for s in signals)
    own = sum((weight * z for weight, z in reaching), np.zeros_like(fused))
    return np.where(others, own / reached * total, fused).astype(np.float32)


def _best_chunks(index: SearchIndex, chunk_scores: Vector) -> IntArray:
    """Position of each document's best chunk (the first one on ties)."""
    best = np.maximum.reduceat(chunk_scores, index.doc_starts)
    hits = np.flatnonzero(chunk_scores >= best[index.chunk_doc])
    _, first = np.unique(index.chunk_doc[hits], return_index=True)
    return hits[first].astype(np.int64)


def _weighted(values: list[tuple[float, float]]) -> float:
    total = sum(weight for _, weight in values)
    return sum(v * w for v, w in values) / total if total else 0.0


def _features(
    index: SearchIndex,
    tokens: list[str],
    lang: str,
    order: IntArray,
    fused: Vector,
    signals: list[_Signal],
    others: BoolArray | None = None,
) -> dict[str, float]:
    """The decision features, each meaning the same on any corpus: scores in units of the
    corpus's own near-miss distribution (see reference.py), dense signals averaged with their
    fusion weights, so one decision model serves every language, model mix and corpus."""
    top = int(order[0]) if len(order) else 0
    second = int(order[1]) if len(order) > 1 else top
    reference = index.reference
    features = {
        "fused_top": float(fused[top]),
        "fused_margin": float(fused[top] - fused[second]),
        "coverage": index.bm25.coverage(tokens),
    }
    bm25 = next((s for s in signals if s.proto is None), None)
    if bm25 is None:  # BM25 not fused: still a feature (a sparse lookup, well under 1 ms)
        scores = _doc_max(index, index.bm25.scores(tokens))
        bm25 = _Signal("bm25", 0.0, scores, scores, scores, None)
    share = float(bm25.best[top]) / (index.bm25.idf_mass(tokens) + 1.0)
    ref = reference.get(f"{lang}:bm25")
    features["bm25_top"] = ref.z(share) if ref else share
    across = ""  # the top guide exists only in the other language: "{lang}>{other}"
    if others is not None and others[top]:
        # the signals that can score it speak for it, its cosines measured against the
        # corpus's cross-lingual near misses (reference.py); BM25 cannot (it matches words
        # of the query's language): left out, the decision model takes it as unknown (see
        # DecisionModel._linear)
        signals = [s for s in signals if s.reaches_other] or signals
        features.pop("bm25_top")
        across = f"{lang}>{'zh' if lang == 'en' else 'en'}"
    dense: dict[str, list[tuple[float, float]]] = {}
    agree = 0.0
    for signal in signals:
        agree += int(np.argmax(signal.docs)) == top
        if signal.proto is None:
            continue
        cos_ref = reference.get(f"{lang}:cos:{signal.name}")
        proto_ref = reference.get(f"{lang}:proto:{signal.name}")
        cos_top, cos_second = float(signal.best[top]), float(signal.best[second])
        proto_top, proto_second = float(signal.proto[top]), float(signal.proto[second])
        cos_std = cos_ref.std if cos_ref else 1.0
        proto_std = proto_ref.std if proto_ref else 1.0
        voters = min(VOTERS, len(signal.chunks))
        nearest = np.argpartition(-signal.chunks, voters - 1)[:voters]
        current = {
            "dense_top": cos_ref.z(cos_top) if cos_ref else cos_top,
            "dense_margin": (cos_top - cos_second) / cos_std,
            "proto_top": proto_ref.z(proto_top) if proto_ref else proto_top,
            "proto_margin": (proto_top - proto_second) / proto_std,
            "knn_share": float(np.mean(index.chunk_doc[nearest] == top)),
        }
        cos_x = reference.get(f"{across}:cos:{signal.name}") if across else None
        proto_x = reference.get(f"{across}:proto:{signal.name}") if across else None
        if cos_x and proto_x and signal.raw_best is not None and signal.raw_proto is not None:
            # levels against the cross-lingual near misses; margins stay on the mapped scale
            current["dense_top"] = cos_x.z(float(signal.raw_best[top]))
            current["proto_top"] = proto_x.z(float(signal.raw_proto[top]))
        for name, value in current.items():
            dense.setdefault(name, []).append((value, signal.weight))
    for name, pairs in dense.items():
        features[name] = _weighted(pairs)
    features["agreement"] = agree / max(len(signals), 1)
    return features
