"""`civic kb check`, the search part: does each guide win its own sample questions, and do two
guides answer the same questions?

**Own questions, left out.** A guide's sample questions are indexed with it, so searched as
they are they find it trivially. So each is searched *left out*: in round r the r-th sample
question of every guide is removed from the index (its other questions, title, aliases and
sections stay) and searched through the shipped ranking and decision model. A question the bot
would then answer with another guide is a warning for its guide: a citizen asking it in other
words may get that guide. The rounds reuse the loaded index's vectors, and a question is
embedded by its stored passage vector (the same model; e5 adds "passage: " where a live query
has "query: "), so the check runs no model unless a guide changed since the index was built.

**Near-duplicates.** Two guides (same language) answer the same questions when, left out, the
share of A's questions that go to B plus the share of B's that go to A reaches
``DUPLICATE_SHARE``. An error: merge them or tell them apart. Measured: on the shipped guides
the highest pair is .43 (pension claim / social insurance, Chinese); a second passport guide
with the first one's sections and five dev-set questions as its own reaches 1.09 (Chinese) and
1.57 (English); an exact copy reaches 1."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

import numpy as np

from knowledge_base.check import ERROR, WARNING, Finding, name_of
from knowledge_base.documents import Document, document_from_guide
from knowledge_base.embedders import Embedder, Matrix, make_embedder
from knowledge_base.guide import Guide
from knowledge_base.index import SearchIndex
from knowledge_base.knowledge_base import KnowledgeBase

DUPLICATE_SHARE = 0.75


@dataclass(frozen=True)
class Probe:
    """A sample question of ``guide`` searched left out: the guide first, or ``winner``."""

    guide: Guide
    question: str
    winner: str
    outcome: str  # answer, clarify, decline

    @property
    def lost(self) -> bool:
        return self.winner != self.guide.id


class StoredVectors:
    """An Embedder whose query vectors are the index's stored vectors of the same text (every
    sample question is a chunk); unknown texts go to the real model."""

    def __init__(self, spec: str, vectors: dict[str, Matrix]) -> None:
        self.spec = spec
        self.vectors = vectors
        self._real: Embedder | None = None

    def _model(self) -> Embedder:
        if self._real is None:
            real = make_embedder(self.spec)
            if real is None:
                raise ValueError(f"no embedder for {self.spec!r}")
            self._real = real
        return self._real

    @property
    def identity(self) -> str:
        return self._model().identity

    @property
    def multilingual(self) -> bool:
        return self._model().multilingual

    def embed_queries(self, texts: list[str]) -> Matrix:
        if all(t in self.vectors for t in texts):
            return np.stack([self.vectors[t] for t in texts]).astype(np.float32)
        return self._model().embed_queries(texts)

    def embed_passages(self, texts: list[str]) -> Matrix:
        return self._model().embed_passages(texts)


def index_vectors(index: SearchIndex) -> dict[str, dict[str, Matrix]]:
    """The index's vectors per model and chunk text (what SearchIndex.build reuses)."""
    out: dict[str, dict[str, Matrix]] = {}
    for spec, dense in index.dense.items():
        covered = index.covered[spec]
        out[spec] = {
            chunk.search_text: dense.vectors[i]
            for i, chunk in enumerate(index.chunks)
            if covered[i]
        }
    return out


def _without(document: Document, question: str) -> Document:
    kept = tuple(c for c in document.chunks if not (c.section == "question" and c.text == question))
    return replace(document, chunks=kept)


def left_out_probes(kb: KnowledgeBase, guides: list[Guide]) -> list[Probe]:
    """Every sample question of every guide searched with itself left out (``kb`` holds
    exactly these guides)."""
    vectors = index_vectors(kb.index)
    embedders: dict[str, Embedder] = {s: StoredVectors(s, v) for s, v in vectors.items()}
    documents = {(g.id, g.lang): document_from_guide(g) for g in guides}
    by_key = {(g.id, g.lang): g for g in guides}
    probes: list[Probe] = []
    for r in range(max((len(g.questions) for g in guides), default=0)):
        held = {key: g.questions[r] for key, g in by_key.items() if r < len(g.questions)}
        docs = [_without(doc, held[key]) if key in held else doc for key, doc in documents.items()]
        index = SearchIndex.build(docs, kb.config, previous=vectors)
        probe = KnowledgeBase(index, kb.config, guides, kb.decisions, kb.zero_shot, embedders)
        for key, question in held.items():
            result = probe.search(question, key[1], top_k=1)
            winner = result.hits[0].guide_id if result.hits else ""
            probes.append(Probe(by_key[key], question, winner, result.outcome))
    return probes


def duplicate_pairs(probes: list[Probe]) -> dict[tuple[str, str, str], float]:
    """(lang, a, b) -> share of a's questions won by b + share of b's won by a, for the pairs
    that reach DUPLICATE_SHARE (a < b)."""
    asked = Counter((p.guide.lang, p.guide.id) for p in probes)
    won = Counter((p.guide.lang, p.guide.id, p.winner) for p in probes if p.lost)
    out: dict[tuple[str, str, str], float] = {}
    for lang, a, b in won:
        first, second = sorted((a, b))
        if (lang, first, second) in out or not asked[(lang, b)]:
            continue
        share = won[(lang, a, b)] / asked[(lang, a)] + won[(lang, b, a)] / asked[(lang, b)]
        if share >= DUPLICATE_SHARE:
            out[(lang, first, second)] = share
    return out


def search_findings(kb: KnowledgeBase, guides: list[Guide]) -> list[Finding]:
    """Warnings for guides whose left-out sample questions the bot would answer with another
    guide; errors for near-duplicate pairs."""
    probes = left_out_probes(kb, guides)
    findings: list[Finding] = []
    for guide in guides:
        mine = [p for p in probes if p.guide is guide]
        lost = [p for p in mine if p.lost and p.outcome == "answer"]
        if lost:
            listed = "; ".join(f"{p.question!r} -> {p.winner}" for p in lost)
            findings.append(
                Finding(
                    WARNING,
                    "won-by-other",
                    name_of(guide),
                    f"{len(lost)} of {len(mine)} sample questions, searched without themselves, "
                    f"are answered with another guide: {listed}",
                )
            )
    for (lang, a, b), share in sorted(duplicate_pairs(probes).items()):
        findings.append(
            Finding(
                ERROR,
                "duplicate",
                f"{lang}/{a}.md",
                f"near-duplicate of {lang}/{b}.md: each answers the other's sample questions "
                f"(shares add up to {share:.2f}); merge them or tell them apart",
            )
        )
    return findings
