"""Paths and settings shared by the knowledge_base tests."""

from __future__ import annotations

from pathlib import Path

from knowledge_base import LanguageSettings, SearchConfig

ROOT = Path(__file__).resolve().parents[2]
GUIDES = ROOT / "knowledge_base" / "guides"
DEV = ROOT / "knowledge_base" / "dev"
BM25_ONLY = SearchConfig(
    en=LanguageSettings((), 1.0, ()),
    zh=LanguageSettings((), 1.0, ()),
)
