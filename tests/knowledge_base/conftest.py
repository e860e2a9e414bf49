"""Shared fixtures: the real guides, and one knowledge base (real models) per test session."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from kb_testdata import GUIDES, ROOT

from knowledge_base import KnowledgeBase


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    """The shipped configuration over the real guides (models loaded once per session), with
    the index the integration tests' action server uses (var/index/guides): built once, then
    reused or rebuilt incrementally."""
    return KnowledgeBase.open(GUIDES, ROOT / "var" / "index" / "guides")
