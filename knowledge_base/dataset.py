"""Reading the shared FAQ-retrieval eval format (``faqs.jsonl`` and ``queries.jsonl``)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge_base.documents import Document, document_from_faq
from knowledge_base.errors import DataFormatError


@dataclass(frozen=True)
class Faq:
    id: str
    lang: str
    questions: tuple[str, ...]
    answer: str


@dataclass(frozen=True)
class LabelledQuery:
    """A query with its relevant document ids; an empty ``relevant`` means out of scope."""

    query: str
    relevant: tuple[str, ...]
    lang: str

    @property
    def in_scope(self) -> bool:
        return bool(self.relevant)


def _lines(path: Path) -> list[tuple[int, dict[str, Any]]]:
    try:
        raw = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise DataFormatError(path, 0, f"cannot read: {exc}") from exc
    rows: list[tuple[int, dict[str, Any]]] = []
    for number, line in enumerate(raw, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataFormatError(path, number, f"invalid JSON: {exc}") from exc
        if not isinstance(obj, dict):
            raise DataFormatError(path, number, "each line must be a JSON object")
        rows.append((number, obj))
    return rows


def _lang(path: Path, number: int, obj: dict[str, Any]) -> str:
    lang = obj.get("lang")
    if lang not in ("en", "zh"):
        raise DataFormatError(path, number, f"'lang' must be 'en' or 'zh', got {lang!r}")
    return str(lang)


def read_faqs(path: Path) -> list[Faq]:
    faqs = []
    for number, obj in _lines(path):
        faq_id, questions, answer = obj.get("id"), obj.get("questions", []), obj.get("answer", "")
        if not isinstance(faq_id, str) or not faq_id:
            raise DataFormatError(path, number, "'id' must be a non-empty string")
        if not isinstance(questions, list) or not all(isinstance(q, str) for q in questions):
            raise DataFormatError(path, number, "'questions' must be a list of strings")
        if not isinstance(answer, str):
            raise DataFormatError(path, number, "'answer' must be a string")
        if not questions and not answer.strip():
            raise DataFormatError(path, number, "an FAQ needs questions or an answer")
        faqs.append(Faq(faq_id, _lang(path, number, obj), tuple(questions), answer))
    return faqs


def faq_documents(path: Path) -> list[Document]:
    """The documents of an eval-format ``faqs.jsonl`` (one per FAQ)."""
    return [document_from_faq(f.id, f.lang, list(f.questions), f.answer) for f in read_faqs(path)]


def read_queries(path: Path) -> list[LabelledQuery]:
    queries = []
    for number, obj in _lines(path):
        query, relevant = obj.get("query"), obj.get("relevant")
        if not isinstance(query, str) or not query.strip():
            raise DataFormatError(path, number, "'query' must be a non-empty string")
        if not isinstance(relevant, list) or not all(isinstance(r, str) for r in relevant):
            raise DataFormatError(path, number, "'relevant' must be a list of ids")
        queries.append(LabelledQuery(query, tuple(relevant), _lang(path, number, obj)))
    return queries


def is_calibration_query(query: str) -> bool:
    """Deterministic split: about half of all queries (by SHA-256 of the text) are used for
    calibration, the others are held out for evaluation."""
    return hashlib.sha256(query.encode("utf-8")).digest()[0] % 2 == 0


def split_queries(
    queries: list[LabelledQuery],
) -> tuple[list[LabelledQuery], list[LabelledQuery]]:
    """(calibration, held-out) halves of a query list."""
    calibration = [q for q in queries if is_calibration_query(q.query)]
    held_out = [q for q in queries if not is_calibration_query(q.query)]
    return calibration, held_out
