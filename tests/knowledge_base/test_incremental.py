"""Incremental index builds: a rebuilt index embeds only the chunks whose text is new, and the
result equals a build from scratch."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from kb_testdata import BagOfWords

from knowledge_base import LanguageSettings, SearchConfig
from knowledge_base.documents import Document, document_from_faq
from knowledge_base.embedders import Matrix
from knowledge_base.index import SearchIndex, reusable_vectors
from knowledge_base.manifest import write_manifest


class Counting(BagOfWords):
    def __init__(self) -> None:
        self.passages: list[str] = []

    def embed_passages(self, texts: list[str]) -> Matrix:
        self.passages += texts
        return super().embed_passages(texts)


CONFIG = SearchConfig(
    en=LanguageSettings(("bow",), 0.2, (1.0,)), zh=LanguageSettings(("bow",), 0.2, (1.0,))
)


def _documents(answer: str) -> list[Document]:
    return [
        document_from_faq("card", "en", ["my card has not arrived", "card is late"], answer),
        document_from_faq("pin", "en", ["how do I change my pin"], "In the app."),
        document_from_faq("fees", "en", ["what are the fees"], "No fees."),
    ]


def _save(index: SearchIndex, where: Path, identity: str) -> None:
    index.save(where)
    write_manifest(where, {"models": {"bow": identity}})


def test_only_changed_chunks_are_embedded_again(tmp_path: Path) -> None:
    first = Counting()
    index = SearchIndex.build(_documents("Wait a week."), CONFIG, lambda spec: first)
    assert index.build_stats["embedded"] == {"bow": 7}
    _save(index, tmp_path / "index", BagOfWords.identity)

    second = Counting()
    previous = reusable_vectors(tmp_path / "index", {"bow": BagOfWords.identity})
    changed = _documents("Wait ten working days, then call us.")
    rebuilt = SearchIndex.build(changed, CONFIG, lambda spec: second, previous)
    assert second.passages == ["my card has not arrived\nWait ten working days, then call us."]
    assert rebuilt.build_stats["embedded"] == {"bow": 1}

    scratch = SearchIndex.build(changed, CONFIG, lambda spec: BagOfWords())
    assert np.allclose(rebuilt.dense["bow"].vectors, scratch.dense["bow"].vectors)


def test_a_changed_model_reuses_nothing(tmp_path: Path) -> None:
    index = SearchIndex.build(_documents("Wait a week."), CONFIG, lambda spec: BagOfWords())
    _save(index, tmp_path / "index", "test:bag-of-words-v0")
    assert reusable_vectors(tmp_path / "index", {"bow": BagOfWords.identity}) == {}
    assert reusable_vectors(tmp_path / "missing", {"bow": BagOfWords.identity}) == {}
