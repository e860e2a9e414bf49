"""The one knowledge base of the action server process, opened before it listens and reloaded
in the background on request (`civic kb reload`, see actions/kb_routes.py)."""

from __future__ import annotations

import logging
import threading

from actions.settings import ActionSettings, current
from knowledge_base import KnowledgeBase
from knowledge_base.live import LiveKnowledgeBase
from knowledge_base.storage import seed_index

log = logging.getLogger(__name__)
_lock = threading.Lock()
_live: LiveKnowledgeBase | None = None


def live_knowledge_base(settings: ActionSettings) -> LiveKnowledgeBase:
    """The process's reloadable knowledge base (made once; opened on first use)."""
    global _live
    with _lock:
        if _live is None:
            seed = settings.index_seed
            if seed is not None and seed_index(seed, settings.index_dir):
                log.info("index seeded from %s", seed)
            _live = LiveKnowledgeBase(settings.guides_dir, settings.index_dir, settings.search)
        return _live


def open_knowledge_base(settings: ActionSettings) -> KnowledgeBase:
    """Load the index (building it when guides, model or settings changed) and keep it."""
    return live_knowledge_base(settings).current


def knowledge_base() -> KnowledgeBase:
    """The knowledge base serving now; opened on first use if the server did not. An action
    takes it once and uses that one throughout: a reload never changes it mid-answer."""
    live = _live if _live is not None else live_knowledge_base(current())
    return live.current
