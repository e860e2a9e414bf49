"""Per-corpus reference scores, so that decision features mean the same on any corpus.

A raw score (a cosine, a BM25 match share) says little on its own: multilingual-e5 puts almost
any two sentences above 0.7, and a corpus of 50 banking intents with 6,000 example questions has
far closer neighbours than one of 45 city guides. So at index build the corpus searches itself:
up to ``PROBES`` of its own question-like chunks (titles, aliases, sample questions; every chunk
when a document has none), each against every *other* document. The best score a probe gets
there is what a near miss looks like in this corpus (a question about something the corpus has
no document for, phrased like its own questions). A query's features are then expressed in
units of that distribution, ``(score - mean) / std``, per signal and per query language.

The probes use the passage vectors already in the index (no model runs at build time)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from knowledge_base.documents import QUESTION_LIKE
from knowledge_base.text import tokenize

if TYPE_CHECKING:
    from knowledge_base.index import BoolArray, Matrix, SearchIndex

PROBES = 300
# A floor under the spread, so that a corpus of two near-identical documents does not turn
# every difference into dozens of standard deviations (cosines and BM25 shares are in [0, 1]).
MIN_STD = 0.02


@dataclass(frozen=True)
class Reference:
    mean: float
    std: float

    def z(self, value: float) -> float:
        return (value - self.mean) / self.std


def _probes(index: SearchIndex, lang: str) -> list[int]:
    question = [
        i for i, c in enumerate(index.chunks) if c.lang == lang and c.section in QUESTION_LIKE
    ]
    pool = question or [i for i, c in enumerate(index.chunks) if c.lang == lang]
    if len(pool) <= PROBES:
        return pool
    picks = np.linspace(0, len(pool) - 1, PROBES).round().astype(int)
    return [pool[i] for i in dict.fromkeys(picks.tolist())]


def _stats(values: list[float]) -> Reference | None:
    if len(values) < 2:
        return None
    return Reference(float(np.mean(values)), max(float(np.std(values)), MIN_STD))


def _language_prototypes(index: SearchIndex, spec: str, lang: str) -> Matrix:
    """Per document, the unit mean of its question-like chunk vectors in ``lang`` (every chunk
    in ``lang`` when it has no question-like one); a zero row when it has no text in ``lang``."""
    vectors = index.dense[spec].vectors
    in_lang = index.covered[spec] & (index.chunk_lang == lang)
    question = np.array([c.section in QUESTION_LIKE for c in index.chunks], np.bool_) & in_lang
    protos = np.zeros((len(index.doc_starts), vectors.shape[1]), np.float32)
    for doc, (start, end) in enumerate(zip(index.doc_starts, index.doc_ends, strict=True)):
        rows = vectors[start:end][question[start:end]]
        if not len(rows):
            rows = vectors[start:end][in_lang[start:end]]
        if len(rows):
            mean = rows.mean(axis=0)
            protos[doc] = mean / (np.linalg.norm(mean) or 1.0)
    return protos


def near_miss_reference(index: SearchIndex) -> dict[str, Reference]:
    """Reference per ``"{lang}:{signal}"`` with signal ``bm25``, ``cos:{model}`` or
    ``proto:{model}``; missing when the corpus has fewer than two documents (or probes).

    With text in both languages, also ``"{lang}>{other}:cos:{model}"`` and
    ``"...:proto:{model}"`` for each multilingual model: the same near misses, scored against
    the other documents' text in the other language only. A query whose best guide exists only
    in the other language is measured against these (fusion._features): a cross-lingual cosine
    runs lower than a same-language one, also for the right guide."""
    out: dict[str, Reference] = {}
    if len(index.doc_starts) < 2:
        return out
    langs = sorted(set(index.chunk_lang.tolist()))
    for lang in langs:
        probes = _probes(index, lang)
        bm25: list[float] = []
        cos: dict[str, list[float]] = {spec: [] for spec in index.dense}
        proto: dict[str, list[float]] = {spec: [] for spec in index.dense}
        # each multilingual model's reach into the other language: its chunks there, each
        # document's prototype in it, and which documents have text in it
        across: dict[str, tuple[str, BoolArray, Matrix, BoolArray]] = {}
        for other in (o for o in langs if o != lang):
            for spec in index.dense:
                reach = index.covered[spec] & (index.chunk_lang == other)
                if reach.any() and (index.covered[spec] & (index.chunk_lang == lang)).any():
                    has = np.maximum.reduceat(reach.astype(np.int8), index.doc_starts) > 0
                    across[spec] = (other, reach, _language_prototypes(index, spec, other), has)
        cos_x: dict[str, list[float]] = {spec: [] for spec in across}
        proto_x: dict[str, list[float]] = {spec: [] for spec in across}
        for chunk in probes:
            own = int(index.chunk_doc[chunk])
            tokens = tokenize(index.chunks[chunk].search_text, lang)
            docs = np.maximum.reduceat(index.bm25.scores(tokens), index.doc_starts)
            docs[own] = -np.inf
            bm25.append(float(docs.max()) / (index.bm25.idf_mass(tokens) + 1.0))
            for spec, dense in index.dense.items():
                if not index.covered[spec][chunk]:
                    continue
                vector = dense.vectors[chunk]
                scores = dense.scores(vector)
                docs = np.maximum.reduceat(scores, index.doc_starts)
                docs[own] = -np.inf
                cos[spec].append(float(docs.max()))
                protos = index.prototypes[spec] @ vector
                protos[own] = -np.inf
                proto[spec].append(float(protos.max()))
                if spec in across:
                    _, reach, lang_protos, has = across[spec]
                    docs = np.maximum.reduceat(np.where(reach, scores, -np.inf), index.doc_starts)
                    docs[own] = -np.inf
                    if np.isfinite(docs).any():
                        cos_x[spec].append(float(docs.max()))
                    protos = np.where(has, lang_protos @ vector, -np.inf)
                    protos[own] = -np.inf
                    if np.isfinite(protos).any():
                        proto_x[spec].append(float(protos.max()))
        stats = {f"{lang}:bm25": _stats(bm25)}
        stats |= {f"{lang}:cos:{spec}": _stats(values) for spec, values in cos.items()}
        stats |= {f"{lang}:proto:{spec}": _stats(values) for spec, values in proto.items()}
        for spec, (other, *_) in across.items():
            stats[f"{lang}>{other}:cos:{spec}"] = _stats(cos_x[spec])
            stats[f"{lang}>{other}:proto:{spec}"] = _stats(proto_x[spec])
        out |= {name: ref for name, ref in stats.items() if ref is not None}
    return out
