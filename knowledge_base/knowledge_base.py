"""KnowledgeBase: open (load or build) an index over guides or FAQ documents and search it."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from knowledge_base.calibration import (
    load_decisions,
    load_zero_shot,
    served_fingerprint,
    settings_key,
)
from knowledge_base.config import SearchConfig
from knowledge_base.decision import DecisionModel
from knowledge_base.documents import Document, document_from_guide
from knowledge_base.embedders import Embedder, make_embedder
from knowledge_base.errors import IndexMismatch
from knowledge_base.fusion import Ranking, rank
from knowledge_base.guide import Guide, guide_files, load_guides
from knowledge_base.index import SearchIndex, reusable_vectors
from knowledge_base.manifest import (
    build_manifest,
    check_manifest,
    manifest_fingerprint,
    write_manifest,
)
from knowledge_base.spelling import Speller
from knowledge_base.storage import index_lock, replace_dir, staging_dir
from knowledge_base.text import detect_lang

log = logging.getLogger(__name__)


def expected_manifest(
    guides_dir: Path, config: SearchConfig
) -> tuple[list[Guide], list[Document], dict[str, Any]]:
    """The guides of a folder (GuideError when one is malformed), their documents, and the
    manifest an index of them must have."""
    guides = load_guides(guides_dir)
    documents = [document_from_guide(g) for g in guides]
    files = {f"{p.parent.name}/{p.name}": p for p in guide_files(guides_dir)}
    return guides, documents, build_manifest(documents, config, files)


@dataclass(frozen=True)
class Hit:
    """A document (guide) with its best chunk, in the citizen's language when it exists."""

    guide_id: str
    lang: str
    title: str
    score: float
    section: str
    chunk_text: str


@dataclass(frozen=True)
class SearchResult:
    """``hits`` are always the ranked top_k; ``outcome`` says how to use them: answer with
    hits[0], clarify with up to 3 candidates (``candidates``), or decline. ``confidence`` is
    the estimated P(hits[0] is right) (0 when there is no decision model at all)."""

    outcome: Literal["answer", "clarify", "decline"]
    hits: tuple[Hit, ...]
    lang: str
    elapsed_ms: float
    confidence: float = 0.0
    features: dict[str, float] = field(default_factory=dict, compare=False, repr=False)

    @property
    def candidates(self) -> tuple[Hit, ...]:
        if self.outcome == "answer":
            return self.hits[:1]
        return self.hits[:3] if self.outcome == "clarify" else ()


class KnowledgeBase:
    def __init__(
        self,
        index: SearchIndex,
        config: SearchConfig,
        guides: list[Guide] | None = None,
        decisions: dict[str, DecisionModel] | None = None,
        zero_shot: DecisionModel | None = None,
        embedders: dict[str, Embedder] | None = None,
    ) -> None:
        """``decisions``: per-language calibrated models (used when fitted with the current
        settings); ``zero_shot``: the model for everything else (default: the shipped one);
        ``embedders``: the query embedders per model spec (default: the configured models)."""
        self.index = index
        self.config = config
        self._guides = {(g.id, g.lang): g for g in guides or []}
        self.decisions: dict[str, DecisionModel] = decisions or {}
        self.zero_shot = zero_shot if zero_shot is not None else load_zero_shot(config)
        # what the index was built from (see manifest_fingerprint); "" when not from a folder
        self.fingerprint = ""
        self._embedders: dict[str, Embedder] = dict(embedders or {})
        for spec in config.all_models():
            embedder = None if spec in self._embedders else make_embedder(spec)
            if embedder is not None:
                self._embedders[spec] = embedder

    @classmethod
    def open(
        cls, guides_dir: Path, index_dir: Path, config: SearchConfig | None = None
    ) -> KnowledgeBase:
        """Load the index in index_dir if its manifest matches the guides, models, settings and
        code; otherwise (missing or mismatched) rebuild it and save it there. The rebuild holds
        the index's lock and swaps the new files in whole (see storage.py)."""
        config = config or SearchConfig()
        guides, documents, expected = expected_manifest(guides_dir, config)
        with index_lock(index_dir, exclusive=True):
            try:
                check_manifest(index_dir, expected)
                index = SearchIndex.load(index_dir)
            except (IndexMismatch, OSError, ValueError, KeyError) as exc:
                log.info("building knowledge-base index in %s (%s)", index_dir, exc)
                previous = reusable_vectors(index_dir, expected["models"])
                index = SearchIndex.build(documents, config, previous=previous)
                log.info("knowledge-base index built: %s", index.build_stats)
                staging = staging_dir(index_dir)
                index.save(staging)
                write_manifest(staging, expected)
                replace_dir(staging, index_dir)
        kb = cls(index, config, guides, load_decisions(config))
        kb.fingerprint = served_fingerprint(manifest_fingerprint(expected), config)
        _ = kb.speller  # built at start, not on a citizen's first question
        return kb

    @classmethod
    def load(
        cls, guides_dir: Path, index_dir: Path, config: SearchConfig | None = None
    ) -> KnowledgeBase:
        """Like open, but never builds: a missing or stale index raises IndexMismatch."""
        config = config or SearchConfig()
        guides, _, expected = expected_manifest(guides_dir, config)
        with index_lock(index_dir, exclusive=False):
            check_manifest(index_dir, expected)
            index = SearchIndex.load(index_dir)
        kb = cls(index, config, guides, load_decisions(config))
        kb.fingerprint = served_fingerprint(manifest_fingerprint(expected), config)
        _ = kb.speller  # built at start, not on a citizen's first question
        return kb

    @classmethod
    def from_documents(
        cls,
        documents: list[Document],
        config: SearchConfig | None = None,
        decisions: dict[str, DecisionModel] | None = None,
    ) -> KnowledgeBase:
        """An in-memory knowledge base over any documents (e.g. an eval-format FAQ set)."""
        config = config or SearchConfig()
        return cls(SearchIndex.build(documents, config), config, None, decisions)

    def with_decisions(self, decisions: dict[str, DecisionModel]) -> KnowledgeBase:
        kb = KnowledgeBase.__new__(KnowledgeBase)
        kb.__dict__.update(self.__dict__)
        kb.decisions = decisions
        return kb

    @cached_property
    def speller(self) -> Speller:
        """Typo repair against this corpus's words (spelling.py); built on first use."""
        return Speller((c.search_text, c.lang) for c in self.index.chunks)

    def rank(self, text: str, lang: str) -> Ranking:
        """Rank every document for the query, its typos repaired against the corpus first."""
        text = self.speller.correct(text)
        return rank(self.index, text, lang, self.config.language(lang), self._embedders)

    def search(self, text: str, lang: str | None = None, top_k: int = 5) -> SearchResult:
        start = time.perf_counter()
        lang = lang if lang in ("en", "zh") else detect_lang(text)
        if not text.strip() or not self.index.chunks:
            return SearchResult("decline", (), lang, (time.perf_counter() - start) * 1000)
        ranking = self.rank(text, lang)
        hits = tuple(self._hit(int(d), ranking, lang) for d in ranking.order[:top_k])
        confidence = 0.0
        outcome: Literal["answer", "clarify", "decline"] = "clarify" if hits else "decline"
        decision = self.decision_model(lang)
        if decision is not None:
            confidence = decision.confidence(ranking.features)
            outcome = decision.decide(confidence)
        elapsed = (time.perf_counter() - start) * 1000
        return SearchResult(outcome, hits, lang, elapsed, confidence, ranking.features)

    def decision_model(self, lang: str) -> DecisionModel | None:
        """The calibrated model of the language when it matches the settings, else the
        zero-shot model."""
        calibrated = self.decisions.get(lang)
        if calibrated is not None and calibrated.settings == settings_key(
            self.config.language(lang)
        ):
            return calibrated
        return self.zero_shot

    def _hit(self, doc: int, ranking: Ranking, lang: str) -> Hit:
        doc_id = self.index.doc_ids[doc]
        version = self.index.documents.get((doc_id, lang))
        chunk = self.index.chunks[int(ranking.best_chunk[doc])]
        if version is None:
            version = self.index.documents[(doc_id, chunk.lang)]
        elif chunk.lang != lang:
            start = int(self.index.doc_starts[doc])
            end = start + 1
            while end < len(self.index.chunks) and self.index.chunks[end].doc_id == doc_id:
                end += 1
            own = [i for i in range(start, end) if self.index.chunks[i].lang == lang]
            chunk = self.index.chunks[max(own, key=lambda i: ranking.chunk_scores[i])]
        return Hit(
            doc_id,
            version.lang,
            version.title,
            float(ranking.scores[doc]),
            chunk.section,
            chunk.text,
        )

    def guide(self, guide_id: str, lang: str) -> Guide | None:
        """The guide in that language, else in the other language, else None."""
        other = "en" if lang == "zh" else "zh"
        return self._guides.get((guide_id, lang)) or self._guides.get((guide_id, other))

    def guides(self, lang: str) -> list[Guide]:
        return sorted((g for g in self._guides.values() if g.lang == lang), key=lambda g: g.id)
