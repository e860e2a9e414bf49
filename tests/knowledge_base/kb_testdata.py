"""Paths and settings shared by the knowledge_base tests."""

from __future__ import annotations

import shutil
import zlib
from pathlib import Path

import numpy as np

from knowledge_base import LanguageSettings, SearchConfig
from knowledge_base.embedders import Matrix
from knowledge_base.text import tokenize_en

ROOT = Path(__file__).resolve().parents[2]
GUIDES = ROOT / "knowledge_base" / "guides"
DEV = ROOT / "knowledge_base" / "dev"
BM25_ONLY = SearchConfig(
    en=LanguageSettings((), 1.0, ()),
    zh=LanguageSettings((), 1.0, ()),
)


DIM = 64


class BagOfWords:
    """Hashes stemmed words into DIM buckets: texts sharing words have a high cosine."""

    identity = "test:bag-of-words"
    multilingual = False

    def _embed(self, texts: list[str]) -> Matrix:
        out = np.zeros((len(texts), DIM), np.float32)
        for row, text in enumerate(texts):
            for word in tokenize_en(text):
                out[row, zlib.crc32(word.encode()) % DIM] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return out / norms

    def embed_queries(self, texts: list[str]) -> Matrix:
        return self._embed(texts)

    def embed_passages(self, texts: list[str]) -> Matrix:
        return self._embed(texts)


def copy_guides(tmp_path: Path, ids: tuple[str, ...]) -> Path:
    """A guides folder of its own (both languages of the guides named) that a test may edit."""
    guides = tmp_path / "guides"
    for lang in ("en", "zh"):
        (guides / lang).mkdir(parents=True)
        for guide_id in ids:
            shutil.copy(GUIDES / lang / f"{guide_id}.md", guides / lang / f"{guide_id}.md")
    return guides


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first ``old`` in the file (which must hold it) with ``new``."""
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")
