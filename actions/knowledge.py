"""The one knowledge base of the action server process, opened before it listens."""

from __future__ import annotations

import threading

from actions.settings import ActionSettings, current
from knowledge_base import KnowledgeBase

_lock = threading.Lock()
_kb: KnowledgeBase | None = None


def open_knowledge_base(settings: ActionSettings) -> KnowledgeBase:
    """Load the index (building it when guides, model or settings changed) and keep it."""
    global _kb
    with _lock:
        if _kb is None:
            _kb = KnowledgeBase.open(settings.guides_dir, settings.index_dir, settings.search)
        return _kb


def knowledge_base() -> KnowledgeBase:
    """The knowledge base of this process; opened on first use if the server did not."""
    return _kb if _kb is not None else open_knowledge_base(current())
