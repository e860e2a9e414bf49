"""Documents and chunks: the one shape the search path indexes, built from a guide or from an
FAQ of the shared eval format (questions + answer)."""

from __future__ import annotations

from dataclasses import dataclass

from knowledge_base.guide import Guide
from knowledge_base.text import split_passages

# Chunk kinds that are short "question-like" texts; the rest are body passages.
QUESTION_LIKE = frozenset({"title", "alias", "question"})


@dataclass(frozen=True)
class Chunk:
    """One searchable text of a document. ``section`` is a guide section key (who, documents,
    steps, fees, time, where), or title/alias/question/summary, or answer for FAQ bodies."""

    doc_id: str
    lang: str
    section: str
    text: str
    search_text: str


@dataclass(frozen=True)
class Document:
    """A guide or an FAQ in one language; ``id`` is shared by its language versions."""

    id: str
    lang: str
    title: str
    chunks: tuple[Chunk, ...]


def _chunk(doc_id: str, lang: str, section: str, text: str, context: str = "") -> Chunk:
    search_text = f"{context}\n{text}" if context else text
    return Chunk(doc_id, lang, section, text, search_text)


def document_from_guide(guide: Guide) -> Document:
    """Title, aliases, questions and summary as short chunks; one chunk per section (prefixed
    with the title for context, so "Fees" of the passport guide is about passports)."""
    gid, lang = guide.id, guide.lang
    chunks = [_chunk(gid, lang, "title", guide.title)]
    chunks += [_chunk(gid, lang, "alias", alias) for alias in guide.aliases]
    chunks += [_chunk(gid, lang, "question", question) for question in guide.questions]
    chunks.append(_chunk(gid, lang, "summary", guide.summary, guide.title))
    for key, body in guide.sections.items():
        chunks.append(_chunk(gid, lang, key, body, guide.title))
    return Document(gid, lang, guide.title, tuple(chunks))


def document_from_faq(faq_id: str, lang: str, questions: list[str], answer: str) -> Document:
    """Each question is a chunk; a long answer is split into passages of ~600 characters."""
    title = questions[0] if questions else (answer.split("\n", 1)[0][:80] or faq_id)
    chunks = [_chunk(faq_id, lang, "question", q) for q in questions if q.strip()]
    context = questions[0] if questions else ""
    chunks += [_chunk(faq_id, lang, "answer", p, context) for p in split_passages(answer)]
    return Document(faq_id, lang, title, tuple(chunks))
