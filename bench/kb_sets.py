"""The development sets of the knowledge-base benchmarks, and an on-disk embedding cache.

A set is a corpus (documents) and labelled queries: the four sets of /work/shared/eval (or
$CIVIC_EVAL_DIR) and the demo guides with their dev queries per language (dev-en, dev-zh, both
over the bilingual guides index, as the bot searches it).

``CachedEmbedder`` wraps a real embedder and keeps every vector it computed in
``$CIVIC_KB_CACHE`` (default: the temp directory), keyed by model identity, kind (query or
passage) and the text's SHA-256: the selection sweep and the benchmark re-run many
configurations over the same texts, and the models are the slow part (multilingual-e5-small:
~35 ms per passage here)."""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from knowledge_base.dataset import LabelledQuery, faq_documents, read_queries  # noqa: E402
from knowledge_base.documents import Document, document_from_guide  # noqa: E402
from knowledge_base.embedders import Embedder, Matrix, make_embedder  # noqa: E402
from knowledge_base.guide import load_guides  # noqa: E402

EVAL_DIR = Path(os.environ.get("CIVIC_EVAL_DIR", "/work/shared/eval"))
CACHE_DIR = Path(os.environ.get("CIVIC_KB_CACHE", Path(tempfile.gettempdir()) / "civic-kb-cache"))
EVAL_SETS = ("stackfaq-en", "tianchi-zh", "banking77-oos-en", "clinc150-oos-en")
DEV_SETS = ("dev-en", "dev-zh")
ALL_SETS = EVAL_SETS + DEV_SETS


@dataclass(frozen=True)
class DevSet:
    name: str
    lang: str
    documents: list[Document]
    queries: list[LabelledQuery]


def normalised(text: str) -> str:
    """The text as compared for overlaps between sets: case-folded, punctuation and
    whitespace removed."""
    return re.sub(r"[\W_]+", "", text.casefold())


def load_set(name: str) -> DevSet:
    if name in DEV_SETS:
        lang = name[4:]
        guides = load_guides(ROOT / "knowledge_base" / "guides")
        queries = read_queries(ROOT / "knowledge_base" / "dev" / f"queries-{lang}.jsonl")
        return DevSet(name, lang, [document_from_guide(g) for g in guides], queries)
    docs = faq_documents(EVAL_DIR / name / "faqs.jsonl")
    return DevSet(name, docs[0].lang, docs, read_queries(EVAL_DIR / name / "queries.jsonl"))


class CachedEmbedder:
    """A real embedder whose vectors are kept on disk (see the module docstring)."""

    def __init__(self, spec: str, inner: Embedder) -> None:
        self.spec = spec
        self._inner = inner
        self._store: dict[str, dict[str, np.ndarray]] = {}

    @property
    def identity(self) -> str:
        return self._inner.identity

    @property
    def multilingual(self) -> bool:
        return self._inner.multilingual

    def _path(self, kind: str) -> Path:
        tag = hashlib.sha256(self._inner.identity.encode()).hexdigest()[:12]
        return CACHE_DIR / f"{self.spec}-{tag}-{kind}.pkl"

    def _cache(self, kind: str) -> dict[str, np.ndarray]:
        if kind not in self._store:
            path = self._path(kind)
            self._store[kind] = pickle.loads(path.read_bytes()) if path.exists() else {}
        return self._store[kind]

    def _embed(self, texts: list[str], kind: str) -> Matrix:
        cache = self._cache(kind)
        keys = [hashlib.sha256(t.encode()).hexdigest() for t in texts]
        missing = list(dict.fromkeys(k for k in keys if k not in cache))
        if missing:
            first = {k: t for k, t in zip(keys, texts, strict=True)}
            todo = [first[k] for k in missing]
            embed = self._inner.embed_queries if kind == "query" else self._inner.embed_passages
            for start in range(0, len(todo), 256):
                part = todo[start : start + 256]
                vectors = embed(part) if len(part) > 1 else embed(part + part)[:1]
                for key, vector in zip(missing[start : start + 256], vectors, strict=True):
                    cache[key] = vector
            self.save()
        if not keys:
            return np.zeros((0, 1), np.float32)
        return np.stack([cache[k] for k in keys]).astype(np.float32)

    def save(self) -> None:
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        for kind, cache in self._store.items():
            tmp = self._path(kind).with_suffix(".tmp")
            tmp.write_bytes(pickle.dumps(cache))
            tmp.replace(self._path(kind))

    def embed_queries(self, texts: list[str]) -> Matrix:
        return self._embed(texts, "query")

    def embed_passages(self, texts: list[str]) -> Matrix:
        return self._embed(texts, "passage")


_CACHED: dict[str, CachedEmbedder | None] = {}


def cached_embedder(spec: str) -> Embedder | None:
    if spec not in _CACHED:
        inner = make_embedder(spec)
        _CACHED[spec] = None if inner is None else CachedEmbedder(spec, inner)
    return _CACHED[spec]


def main() -> int:
    """Fill the cache: every chunk and query of every set, for the given models."""
    from knowledge_base.documents import Chunk
    from knowledge_base.embedders import limit_threads

    limit_threads(1)
    models = sys.argv[1].split(",") if len(sys.argv) > 1 else ["use", "minilm", "mpnet", "e5"]
    names = sys.argv[2].split(",") if len(sys.argv) > 2 else ALL_SETS
    for spec in models:
        embedder = cached_embedder(spec)
        assert embedder is not None
        for name in names:
            dev = load_set(name)
            if dev.lang == "zh" and not embedder.multilingual:
                continue
            chunks: list[Chunk] = [c for d in dev.documents for c in d.chunks]
            embedder.embed_passages([c.search_text for c in chunks])
            embedder.embed_queries([q.query for q in dev.queries])
            print(spec, name, len(chunks), len(dev.queries), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
