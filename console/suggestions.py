"""Knowledge-base suggestions for the agent: the top guides for the citizen's last question.

The gateway does not load the action server's dense models: measured on this project's 45
guides, the full knowledge base (MiniLM + USE) adds about 690 MB to a process and takes 7 s
to load, a BM25-only one about 125 MB and 1 s (see the README). So by default
(`CIVIC_CONSOLE_KB=bm25`) the console builds a lexical index in memory, lazily, on the first
request that needs it; `full` loads the action server's saved index instead (never builds it);
`off` disables suggestions.

An editor's change to the guides reaches the suggestions without a restart: at most every
``check_s`` seconds (on use) the guides folder's signature (names, sizes, modification times)
is compared with the one the index was built from; when it differs a new index is built in
the background and swapped in when complete, the old one answering meanwhile. In `full` mode
the new index is the one the action server saves (`civic kb reload`); until it is there the
load fails and is tried again at the next check.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
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
    def __init__(
        self, mode: str, environ: dict[str, str] | None = None, check_s: float = 2.0
    ) -> None:
        self.mode = mode
        self.env = dict(os.environ if environ is None else environ)
        self.guides_dir = Path(
            self.env.get("CIVIC_GUIDES_DIR") or ROOT / "knowledge_base" / "guides"
        )
        self.check_s = check_s
        self._kb: Any = None
        self._lock = asyncio.Lock()
        self.failed = False
        self._signature: Any = None  # of the guides folder the index in use was built from
        self._checked = 0.0
        self.refreshing: asyncio.Task[None] | None = None  # a rebuild under way
        self._titles: tuple[Any, dict[str, dict[str, str]]] | None = None
        self._titles_checked = 0.0

    def _load(self) -> Any:
        from knowledge_base import KnowledgeBase, SearchConfig, load_guides
        from knowledge_base.documents import document_from_guide

        guides_dir = self.guides_dir
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
                    self._signature = await asyncio.to_thread(self._folder_signature)
                    self._kb = await asyncio.to_thread(self._load)
                except Exception:  # suggestions are a help, never a reason to fail a page
                    log.exception("knowledge base for console suggestions failed to load")
                    self.failed = True
                    return []
                self._checked = time.monotonic()
            else:
                await self._check_guides()
            kb = self._kb
        result = await asyncio.to_thread(kb.search, question, lang, k)
        return [
            Suggestion(
                h.guide_id, h.title, h.section, " ".join(h.chunk_text.split())[:300], h.score
            )
            for h in result.hits[:k]
        ]

    async def guide_titles(self) -> dict[str, dict[str, str]]:
        """Every guide's title per language (``{id: {lang: title}}``) read from the guides
        folder, read again when the folder changed (looked at most every check_s seconds);
        also when suggestions are off."""
        now = time.monotonic()
        if self._titles is None or now - self._titles_checked >= self.check_s:
            self._titles_checked = now
            signature = await asyncio.to_thread(self._folder_signature)
            if self._titles is None or self._titles[0] != signature:
                self._titles = (signature, await asyncio.to_thread(self._read_titles))
        return self._titles[1]

    def _read_titles(self) -> dict[str, dict[str, str]]:
        from knowledge_base.errors import GuideError
        from knowledge_base.guide import guide_files, parse_guide

        titles: dict[str, dict[str, str]] = {}
        for path in guide_files(self.guides_dir) if self.guides_dir.is_dir() else []:
            try:
                guide = parse_guide(path)
            except GuideError:  # `civic kb check` names it; the others are still offered
                continue
            titles.setdefault(guide.id, {})[guide.lang] = guide.title
        return titles

    def _folder_signature(self) -> Any:
        from knowledge_base.live import folder_signature

        return folder_signature(self.guides_dir)

    async def _check_guides(self) -> None:
        """Start a background rebuild when the guides changed since the index in use was built
        (looked at most every check_s seconds; never while a rebuild runs)."""
        now = time.monotonic()
        if self.refreshing is not None or now - self._checked < self.check_s:
            return
        self._checked = now
        signature = await asyncio.to_thread(self._folder_signature)
        if signature != self._signature:
            self.refreshing = asyncio.create_task(self._refresh(signature))

    async def _refresh(self, signature: Any) -> None:
        try:
            kb = await asyncio.to_thread(self._load)
        except Exception as exc:  # the previous index keeps answering; tried at the next check
            log.warning("console suggestions keep their previous index: %s", exc)
        else:
            self._kb = kb  # one reference: a search in flight keeps the index it started with
            self._signature = signature
            log.info("console suggestions switched to the changed guides")
        finally:
            self.refreshing = None
