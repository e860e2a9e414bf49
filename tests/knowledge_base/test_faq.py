from __future__ import annotations

import json
from pathlib import Path

import pytest
from kb_testdata import BM25_ONLY

from knowledge_base import DataFormatError, GuideError, KnowledgeBase, faq_documents, parse_guide
from knowledge_base.importer import import_faqs


def _faqs(tmp_path: Path) -> Path:
    rows = [
        {
            "id": "dog",
            "questions": ["How do I register my dog?"],
            "answer": "Go to the vet.",
            "lang": "en",
        },
        {"id": "bin", "questions": ["When is rubbish collected?"], "answer": "", "lang": "en"},
    ]
    path = tmp_path / "faqs.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", "utf-8")
    return path


def test_faqs_become_searchable_documents(tmp_path: Path) -> None:
    kb = KnowledgeBase.from_documents(faq_documents(_faqs(tmp_path)), BM25_ONLY)
    result = kb.search("register dog", "en")
    assert result.hits[0].guide_id == "dog"


def test_bad_faq_line_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "x", "questions": "oops", "answer": "", "lang": "en"}\n', "utf-8")
    with pytest.raises(DataFormatError, match=r"bad\.jsonl:1"):
        faq_documents(path)


def test_import_writes_markdown_drafts(tmp_path: Path) -> None:
    written = import_faqs(_faqs(tmp_path), tmp_path / "out")
    assert [p.name for p in written] == ["dog.md", "bin.md"]
    text = written[0].read_text("utf-8")
    assert "How do I register my dog?" in text and "Go to the vet." in text
    with pytest.raises(GuideError):
        parse_guide(written[0])  # drafts need an editor (TODO fields) before they validate
