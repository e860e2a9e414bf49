"""The in-memory search index: documents, their chunks (grouped by document id so the two
language versions of a guide are contiguous), a BM25 index and one dense index per model.
Saving/loading writes plain files (JSON + .npy); staleness is checked by ``manifest``."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from knowledge_base.config import SearchConfig
from knowledge_base.dense import DenseIndex
from knowledge_base.documents import QUESTION_LIKE, Chunk, Document
from knowledge_base.embedders import Embedder, make_embedder
from knowledge_base.lexical import Bm25Index
from knowledge_base.reference import Reference, near_miss_reference
from knowledge_base.text import tokenize

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
Matrix = npt.NDArray[np.float32]
EmbedderFactory = Callable[[str], Embedder | None]


class SearchIndex:
    def __init__(
        self,
        documents: list[Document],
        dense: dict[str, DenseIndex],
        dense_langs: dict[str, tuple[str, ...]],
    ) -> None:
        self.documents: dict[tuple[str, str], Document] = {(d.id, d.lang): d for d in documents}
        self.doc_ids: list[str] = list(dict.fromkeys(d.id for d in documents))
        self.chunks: list[Chunk] = self.ordered_chunks(documents)
        key_of = {doc_id: i for i, doc_id in enumerate(self.doc_ids)}
        self.chunk_doc: IntArray = np.array([key_of[c.doc_id] for c in self.chunks], np.int64)
        starts = np.flatnonzero(np.r_[True, self.chunk_doc[1:] != self.chunk_doc[:-1]])
        self.doc_starts: IntArray = starts.astype(np.int64)
        self.doc_ends: IntArray = np.r_[starts[1:], len(self.chunks)].astype(np.int64)
        self.chunk_lang = np.array([c.lang for c in self.chunks])
        # per language, the documents with no chunk in it (a guide written in the other
        # language only): a query in that language reaches them through multilingual models only
        self.lacks: dict[str, BoolArray] = {
            lang: (
                np.maximum.reduceat((self.chunk_lang == lang).astype(np.int8), self.doc_starts) == 0
                if len(self.chunks)
                else np.zeros(0, np.bool_)
            )
            for lang in ("en", "zh")
        }
        self.bm25 = Bm25Index([tokenize(c.search_text, c.lang) for c in self.chunks])
        self.dense = dense
        self.dense_langs = dense_langs
        # Everything a query needs besides its own scores is precomputed here, once.
        question = np.array([c.section in QUESTION_LIKE for c in self.chunks], np.bool_)
        self.covered: dict[str, BoolArray] = {
            spec: np.isin(self.chunk_lang, langs) for spec, langs in dense_langs.items()
        }
        self.prototypes: dict[str, Matrix] = {
            spec: self._prototypes(dense[spec].vectors, self.covered[spec] & question)
            for spec in dense
        }
        self.question_slots = self._slots(question)
        self.reference: dict[str, Reference] = near_miss_reference(self)
        self.build_stats: dict[str, Any] = {}

    def _prototypes(self, vectors: Matrix, members: BoolArray) -> Matrix:
        """One unit vector per document: the mean of its question-like chunk vectors (its
        title, aliases and sample questions), or of all its chunks when it has none."""
        n_docs = len(self.doc_starts)
        if not len(vectors):
            return np.zeros((n_docs, 1), np.float32)
        protos = np.zeros((n_docs, vectors.shape[1]), np.float32)
        for doc, (start, end) in enumerate(zip(self.doc_starts, self.doc_ends, strict=True)):
            rows = vectors[start:end][members[start:end]]
            if not len(rows):
                rows = vectors[start:end]
            protos[doc] = rows.mean(axis=0)
        norms = np.linalg.norm(protos, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return np.ascontiguousarray(protos / norms, dtype=np.float32)

    def _slots(self, members: BoolArray) -> IntArray:
        """(documents x most question-like chunks) chunk positions, padded with -1; a document
        without question-like chunks lists all its chunks."""
        rows = []
        for start, end in zip(self.doc_starts, self.doc_ends, strict=True):
            own = np.flatnonzero(members[start:end]) + start
            rows.append(own if len(own) else np.arange(start, end))
        width = max((len(r) for r in rows), default=1)
        slots = np.full((len(rows), width), -1, np.int64)
        for doc, row in enumerate(rows):
            slots[doc, : len(row)] = row
        return slots

    @staticmethod
    def ordered_chunks(documents: list[Document]) -> list[Chunk]:
        order: dict[str, list[Document]] = {}
        for doc in documents:
            order.setdefault(doc.id, []).append(doc)
        return [c for docs in order.values() for d in docs for c in d.chunks]

    @classmethod
    def build(
        cls,
        documents: list[Document],
        config: SearchConfig,
        factory: EmbedderFactory = make_embedder,
        previous: dict[str, dict[str, Matrix]] | None = None,
    ) -> SearchIndex:
        """Embed every chunk with every configured model and build the index.

        ``previous`` (see :func:`reusable_vectors`) maps a model spec to the vectors an earlier
        index holds per chunk text: those chunks are not embedded again, so changing one guide
        re-embeds only its chunks. ``build_stats`` says how many were embedded."""
        start = time.perf_counter()
        chunks = cls.ordered_chunks(documents)
        dense: dict[str, DenseIndex] = {}
        dense_langs: dict[str, tuple[str, ...]] = {}
        embedded: dict[str, int] = {}
        for spec in config.all_models():
            embedder = factory(spec)
            if embedder is None:
                continue
            users = tuple(lang for lang in ("en", "zh") if spec in config.language(lang).models)
            langs = ("en", "zh") if embedder.multilingual and config.cross_lingual else users
            wanted = [i for i, c in enumerate(chunks) if c.lang in langs]
            known = (previous or {}).get(spec, {})
            texts = list(dict.fromkeys(chunks[i].search_text for i in wanted))
            missing = [t for t in texts if t not in known]
            fresh = embedder.embed_passages(missing) if missing else None
            vectors = dict(known)
            if fresh is not None:
                vectors.update(zip(missing, fresh, strict=True))
            dim = next(iter(vectors.values())).shape[0] if vectors else 1
            full = np.zeros((len(chunks), dim), np.float32)
            for i in wanted:
                full[i] = vectors[chunks[i].search_text]
            dense[spec] = DenseIndex(full)
            dense_langs[spec] = langs
            embedded[spec] = len(missing)
        index = cls(documents, dense, dense_langs)
        index.build_stats = {
            "chunks": len(chunks),
            "embedded": embedded,
            "seconds": round(time.perf_counter() - start, 3),
        }
        return index

    def save(self, index_dir: Path) -> None:
        index_dir.mkdir(parents=True, exist_ok=True)
        docs = [asdict(d) for d in self.documents.values()]
        (index_dir / "documents.json").write_text(json.dumps(docs, ensure_ascii=False), "utf-8")
        for n, dense in enumerate(self.dense.values()):
            dense.save(index_dir / f"dense-{n}.npy")
        meta = {"dense": [[spec, list(self.dense_langs[spec])] for spec in self.dense]}
        (index_dir / "dense.json").write_text(json.dumps(meta), "utf-8")

    @classmethod
    def load(cls, index_dir: Path) -> SearchIndex:
        raw = json.loads((index_dir / "documents.json").read_text("utf-8"))
        documents = [
            Document(d["id"], d["lang"], d["title"], tuple(Chunk(**c) for c in d["chunks"]))
            for d in raw
        ]
        meta = json.loads((index_dir / "dense.json").read_text("utf-8"))
        dense: dict[str, DenseIndex] = {}
        dense_langs: dict[str, tuple[str, ...]] = {}
        for n, (spec, langs) in enumerate(meta["dense"]):
            dense[spec] = DenseIndex.load(index_dir / f"dense-{n}.npy")
            dense_langs[spec] = tuple(langs)
        return cls(documents, dense, dense_langs)


def reusable_vectors(index_dir: Path, identities: dict[str, str]) -> dict[str, dict[str, Matrix]]:
    """The vectors of the index saved in index_dir, per model spec and chunk text, for the
    models whose identity (name, version, weights digest) is unchanged; empty when there is no
    readable index. An index is rebuilt from these plus whatever text is new."""
    try:
        saved = json.loads((index_dir / "manifest.json").read_text("utf-8")).get("models", {})
        meta = json.loads((index_dir / "dense.json").read_text("utf-8"))
        raw = json.loads((index_dir / "documents.json").read_text("utf-8"))
    except (OSError, ValueError, AttributeError):
        return {}
    documents = [
        Document(d["id"], d["lang"], d["title"], tuple(Chunk(**c) for c in d["chunks"]))
        for d in raw
    ]
    chunks = SearchIndex.ordered_chunks(documents)
    out: dict[str, dict[str, Matrix]] = {}
    for n, (spec, langs) in enumerate(meta["dense"]):
        if spec not in identities or saved.get(spec) != identities[spec]:
            continue
        try:
            vectors = np.load(index_dir / f"dense-{n}.npy")
        except (OSError, ValueError):
            continue
        if len(vectors) != len(chunks):
            continue
        out[spec] = {c.search_text: vectors[i] for i, c in enumerate(chunks) if c.lang in langs}
    return out
