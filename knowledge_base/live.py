"""The knowledge base of a long-running process, reloadable without a restart.

``LiveKnowledgeBase.request_reload()`` checks the guides folder (a malformed guide is refused
at once, nothing changes), then rebuilds in a background thread: ``KnowledgeBase.open`` reuses
the saved vectors of every unchanged chunk, so an edit re-embeds only what changed. The old
knowledge base answers until the new one is complete; then one reference is swapped. A caller
that takes ``current`` once per request sees one consistent knowledge base throughout.

``fingerprint`` (see manifest.manifest_fingerprint, calibration.served_fingerprint) names what a
knowledge base was built from (and the calibration it decides with),
so a client can ask a server which version it serves. ``folder_signature`` is a cheap change
detector (file names, sizes, modification times) for watchers that poll."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from knowledge_base.calibration import served_fingerprint
from knowledge_base.config import SearchConfig
from knowledge_base.guide import guide_files
from knowledge_base.knowledge_base import KnowledgeBase, expected_manifest
from knowledge_base.manifest import manifest_fingerprint

log = logging.getLogger(__name__)
Opener = Callable[[Path, Path, SearchConfig], KnowledgeBase]
Signature = tuple[tuple[str, int, int], ...]


def folder_fingerprint(guides_dir: Path, config: SearchConfig) -> str:
    """The fingerprint an index of the folder's guides will have (GuideError when a guide is
    malformed). Parses the guides; embeds nothing."""
    _, _, manifest = expected_manifest(guides_dir, config)
    return served_fingerprint(manifest_fingerprint(manifest), config)


def folder_signature(guides_dir: Path) -> Signature:
    """Names, sizes and modification times of the folder's guide files: it changes when a guide
    is added, removed or saved (empty when the folder is missing)."""
    out = []
    for path in guide_files(guides_dir):
        try:
            stat = path.stat()
        except OSError:  # removed between the listing and the stat: the next poll sees it
            continue
        out.append((f"{path.parent.name}/{path.name}", stat.st_mtime_ns, stat.st_size))
    return tuple(out)


class LiveKnowledgeBase:
    """One process's knowledge base over a guides folder, rebuilt in the background on request
    and switched atomically."""

    def __init__(
        self,
        guides_dir: Path,
        index_dir: Path,
        config: SearchConfig,
        opener: Opener = KnowledgeBase.open,
    ) -> None:
        self.guides_dir = guides_dir
        self.index_dir = index_dir
        self.config = config
        self._opener = opener
        self._current: KnowledgeBase | None = None
        self._state = threading.Lock()  # guards everything below and the swap
        self._opening = threading.Lock()  # one first open at a time
        self._wanted = False
        self._worker: threading.Thread | None = None
        self._target = ""
        self._error: str | None = None
        self._reloads = 0
        self._last_reload_s: float | None = None

    @property
    def current(self) -> KnowledgeBase:
        """The knowledge base to answer with (opened, blocking, on first use)."""
        kb = self._current
        if kb is not None:
            return kb
        with self._opening:
            if self._current is None:
                kb = self._opener(self.guides_dir, self.index_dir, self.config)
                with self._state:
                    self._current = kb
                    self._target = kb.fingerprint
            return self._current

    def request_reload(self) -> str:
        """Rebuild from the guides folder in the background; return the fingerprint the new
        knowledge base will have. A malformed guide raises GuideError here and nothing changes.
        Requests while a rebuild runs are merged into one more rebuild after it (none when the
        rebuild turns out to have built what they asked for). When the index
        served already has that fingerprint and nothing runs, there is nothing to rebuild (the
        guides folder's watch and `civic kb reload` may both ask for the same change)."""
        target = folder_fingerprint(self.guides_dir, self.config)
        with self._state:
            current = self._current
            if self._worker is None and current is not None and current.fingerprint == target:
                self._target, self._error = target, None
                return target
            self._target = target
            self._wanted = True
            if self._worker is None:
                self._worker = threading.Thread(target=self._rebuild, name="kb-reload", daemon=True)
                self._worker.start()
        return target

    def _rebuild(self) -> None:
        while True:
            with self._state:
                if not self._wanted:
                    self._worker = None
                    return
                self._wanted = False
            started = time.monotonic()
            try:
                kb = self._opener(self.guides_dir, self.index_dir, self.config)
            except Exception as exc:  # any failure: the old knowledge base keeps answering
                log.exception("knowledge-base reload failed; the previous index keeps serving")
                with self._state:
                    self._error = f"{type(exc).__name__}: {exc}"
                continue
            seconds = time.monotonic() - started
            with self._state:
                self._current = kb
                self._error = None
                if kb.fingerprint == self._target:  # a request meanwhile asked for this same
                    self._wanted = False  # index (the watch and the command, say): it is built
                self._reloads += 1
                self._last_reload_s = round(seconds, 3)
            log.info(
                "knowledge base reloaded in %.1f s: %s (%s)",
                seconds,
                kb.fingerprint,
                kb.index.build_stats or "index unchanged on disk",
            )

    def wait(self, timeout_s: float | None = None) -> bool:
        """Block until no rebuild runs (for tests and scripts); False on timeout."""
        with self._state:
            worker = self._worker
        if worker is None:
            return True
        worker.join(timeout_s)
        return not worker.is_alive()

    def status(self) -> dict[str, Any]:
        """What a client polls: the fingerprint served, the one last requested, whether a
        rebuild runs, the last failure (cleared by a success)."""
        with self._state:
            kb = self._current
            return {
                "fingerprint": kb.fingerprint if kb is not None else None,
                "target": self._target or None,
                "reloading": self._worker is not None,
                "error": self._error,
                "guides": (
                    {lang: len(kb.guides(lang)) for lang in ("en", "zh")} if kb is not None else {}
                ),
                "reloads": self._reloads,
                "last_reload_s": self._last_reload_s,
            }
