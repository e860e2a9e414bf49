"""Civic Assistant knowledge base: service guides, hybrid search (BM25 + dense embeddings,
score-level fusion), calibrated answer / clarify / decline decisions, evaluation.

A plain library: no web framework, no Rasa, no I/O at import time."""

from knowledge_base.config import LanguageSettings, SearchConfig
from knowledge_base.dataset import LabelledQuery, faq_documents, read_queries
from knowledge_base.documents import Chunk, Document
from knowledge_base.embedders import Embedder
from knowledge_base.errors import (
    CalibrationError,
    DataFormatError,
    EmbedderError,
    GuideError,
    IndexMismatch,
    KnowledgeBaseError,
    SearchConfigError,
)
from knowledge_base.guide import Guide, load_guides, parse_guide
from knowledge_base.knowledge_base import Hit, KnowledgeBase, SearchResult

__all__ = [
    "CalibrationError",
    "Chunk",
    "DataFormatError",
    "Document",
    "Embedder",
    "EmbedderError",
    "Guide",
    "GuideError",
    "Hit",
    "IndexMismatch",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "LabelledQuery",
    "LanguageSettings",
    "SearchConfig",
    "SearchConfigError",
    "SearchResult",
    "faq_documents",
    "load_guides",
    "parse_guide",
    "read_queries",
]
