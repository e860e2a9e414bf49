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
from knowledge_base.storage import replace_dir, seed_index, staging_dir


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


def test_an_index_seeded_from_a_read_only_image_can_be_replaced(tmp_path: Path) -> None:
    """The image's seed is read-only (files 0444, folder 0555): the copy in the index volume
    must not inherit that, or a pod (no capability to override file modes) could never swap a
    rebuilt index in (its folder's entries could not be unlinked)."""
    seed = tmp_path / "seed"
    _save(SearchIndex.build(_documents("Wait a week."), CONFIG, lambda s: BagOfWords()), seed, "x")
    for path in seed.iterdir():
        path.chmod(0o444)
    seed.chmod(0o555)
    index_dir = tmp_path / "volume" / "index"
    try:
        assert seed_index(seed, index_dir)
        assert not seed_index(seed, index_dir)  # once only
    finally:
        seed.chmod(0o755)
    assert index_dir.stat().st_mode & 0o777 == 0o755
    assert all(path.stat().st_mode & 0o200 for path in index_dir.iterdir())
    staging = staging_dir(index_dir)
    _save(SearchIndex.build(_documents("Call us."), CONFIG, lambda s: BagOfWords()), staging, "y")
    replace_dir(staging, index_dir)
    assert sorted(p.name for p in index_dir.parent.iterdir()) == [".index.lock", "index"]
