from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from kb_testdata import BM25_ONLY, GUIDES

from knowledge_base import IndexMismatch, KnowledgeBase, LanguageSettings


@pytest.fixture
def guides(tmp_path: Path) -> Path:
    target = tmp_path / "guides"
    for lang in ("en", "zh"):
        (target / lang).mkdir(parents=True)
        for path in sorted((GUIDES / lang).glob("*.md"))[:3]:
            shutil.copy(path, target / lang / path.name)
    return target


def _stamp(index: Path) -> int:
    return (index / "documents.json").stat().st_mtime_ns


def test_index_reused_when_nothing_changed(guides: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    KnowledgeBase.open(guides, index, BM25_ONLY)
    before = _stamp(index)
    KnowledgeBase.load(guides, index, BM25_ONLY)  # does not raise: nothing changed
    KnowledgeBase.open(guides, index, BM25_ONLY)
    assert _stamp(index) == before


def test_guide_change_is_refused_then_rebuilt(guides: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    KnowledgeBase.open(guides, index, BM25_ONLY)
    path = sorted((guides / "en").glob("*.md"))[0]
    path.write_text(path.read_text("utf-8") + "\nOne more line.\n", "utf-8")
    with pytest.raises(IndexMismatch, match="changed"):
        KnowledgeBase.load(guides, index, BM25_ONLY)
    kb = KnowledgeBase.open(guides, index, BM25_ONLY)
    assert any("One more line." in c.text for c in kb.index.chunks)
    KnowledgeBase.load(guides, index, BM25_ONLY)


def test_settings_change_is_refused_then_rebuilt(guides: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    KnowledgeBase.open(guides, index, BM25_ONLY)
    other = replace(BM25_ONLY, en=LanguageSettings((), 0.5, ()))
    with pytest.raises(IndexMismatch, match="settings"):
        KnowledgeBase.load(guides, index, other)
    KnowledgeBase.open(guides, index, other)
    KnowledgeBase.load(guides, index, other)


def test_missing_index_is_refused(guides: Path, tmp_path: Path) -> None:
    with pytest.raises(IndexMismatch):
        KnowledgeBase.load(guides, tmp_path / "nothing", BM25_ONLY)
