"""Shared fixtures: the real guides, and one knowledge base (real models) per test session."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from kb_testdata import GUIDES

from knowledge_base import KnowledgeBase


@pytest.fixture(scope="session")
def kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """The shipped configuration over the real guides (models loaded once per session)."""
    return KnowledgeBase.open(GUIDES, tmp_path_factory.mktemp("index") / "guides")
