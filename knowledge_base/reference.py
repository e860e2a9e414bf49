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
    from knowledge_base.index import SearchIndex

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


def near_miss_reference(index: SearchIndex) -> dict[str, Reference]:
    """Reference per ``"{lang}:{signal}"`` with signal ``bm25``, ``cos:{model}`` or
    ``proto:{model}``; missing when the corpus has fewer than two documents (or probes)."""
    out: dict[str, Reference] = {}
    if len(index.doc_starts) < 2:
        return out
    for lang in sorted(set(index.chunk_lang.tolist())):
        probes = _probes(index, lang)
        bm25: list[float] = []
        cos: dict[str, list[float]] = {spec: [] for spec in index.dense}
        proto: dict[str, list[float]] = {spec: [] for spec in index.dense}
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
                docs = np.maximum.reduceat(dense.scores(vector), index.doc_starts)
                docs[own] = -np.inf
                cos[spec].append(float(docs.max()))
                protos = index.prototypes[spec] @ vector
                protos[own] = -np.inf
                proto[spec].append(float(protos.max()))
        stats = {"bm25": _stats(bm25)}
        stats |= {f"cos:{spec}": _stats(values) for spec, values in cos.items()}
        stats |= {f"proto:{spec}": _stats(values) for spec, values in proto.items()}
        out |= {f"{lang}:{name}": ref for name, ref in stats.items() if ref is not None}
    return out
