"""Knowledge-base suggestions for the agent: the top guides for the citizen's last question.

The gateway does not load the action server's dense models: measured on this project's 45
guides, the full knowledge base (MiniLM + USE) adds about 690 MB to a process and takes 7 s
to load, a BM25-only one about 125 MB and 1 s (see the README). So by default
(`CIVIC_CONSOLE_KB=bm25`) the console builds a lexical index in memory, lazily, on the first
request that needs it; `full` loads the action server's saved index instead (never builds it);
`off` disables suggestions.
"""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Suggestion:
    guide_id: str
    title: str
    section: str
    snippet: str
    score: float


class Suggestions:
    def __init__(self, mode: str, environ: dict[str, str] | None = None) -> None:
        self.mode = mode
        self.env = dict(os.environ if environ is None else environ)
        self._kb: Any = None
        self._lock = asyncio.Lock()
        self.failed = False

    def _load(self) -> Any:
        from knowledge_base import KnowledgeBase, SearchConfig, load_guides
        from knowledge_base.documents import document_from_guide

        guides_dir = Path(self.env.get("CIVIC_GUIDES_DIR") or ROOT / "knowledge_base" / "guides")
        if self.mode == "full":
            var_dir = Path(self.env.get("CIVIC_VAR_DIR") or ROOT / "var")
            index_dir = Path(self.env.get("CIVIC_INDEX_DIR") or var_dir / "index" / "guides")
            return KnowledgeBase.load(guides_dir, index_dir, SearchConfig.from_env(self.env))
        lexical = SearchConfig.from_env({"CIVIC_KB_MODEL_EN": "none", "CIVIC_KB_MODEL_ZH": "none"})
        documents = [document_from_guide(g) for g in load_guides(guides_dir)]
        return KnowledgeBase.from_documents(documents, lexical)

    async def top(self, question: str, lang: str, k: int = 3) -> list[Suggestion]:
        if self.mode == "off" or self.failed or not question.strip():
            return []
        async with self._lock:
            if self._kb is None:
                try:
                    self._kb = await asyncio.to_thread(self._load)
                except Exception:  # suggestions are a help, never a reason to fail a page
                    log.exception("knowledge base for console suggestions failed to load")
                    self.failed = True
                    return []
        result = await asyncio.to_thread(self._kb.search, question, lang, k)
        return [
            Suggestion(
                h.guide_id, h.title, h.section, " ".join(h.chunk_text.split())[:300], h.score
            )
            for h in result.hits[:k]
        ]
