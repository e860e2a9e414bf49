"""A long-running process's own watch on its guides folder (the action server's, with
CIVIC_KB_WATCH_S): every replica notices a changed folder by itself, the same on a laptop and
on a volume that several pods mount, and reloads through its LiveKnowledgeBase.

Every ``interval_s`` it takes the folder's signature (names, sizes, modification times of the
guide files: ``folder_signature``, no file is read). A change is acted on once the signature
has stayed the same for ``settle_s`` (an editor's save, or a copy of many guides onto the
volume, may take several writes): then ``LiveKnowledgeBase.request_reload`` checks the guides
and rebuilds in the background. A malformed guide is refused there: the old index keeps
answering, the error is logged and shown in ``status()["refused"]``, and the next change is
tried afresh. So is a folder that suddenly holds no guide at all (a volume not mounted)."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from knowledge_base.errors import GuideError
from knowledge_base.live import LiveKnowledgeBase, Signature, folder_signature

log = logging.getLogger(__name__)
MIN_SETTLE_S = 2.0


class GuideWatch:
    """Polls the guides folder of ``live``; ``check()`` is one poll, ``start()`` runs them in a
    daemon thread. Make it before the knowledge base is first opened, so that a change made
    while the index builds is not missed."""

    def __init__(
        self, live: LiveKnowledgeBase, interval_s: float, settle_s: float | None = None
    ) -> None:
        if interval_s <= 0:
            raise ValueError("the watch needs a positive interval (0 means: no watch)")
        self.live = live
        self.interval_s = interval_s
        self.settle_s = max(interval_s, MIN_SETTLE_S) if settle_s is None else settle_s
        self._lock = threading.Lock()
        self._seen: Signature = folder_signature(live.guides_dir)
        self._handled = self._seen
        self._changed_at = time.monotonic()
        self._refused: str | None = None
        self._reloads = 0
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def check(self, now: float | None = None) -> str | None:
        """One look at the folder; the fingerprint a reload was requested for, else None."""
        now = time.monotonic() if now is None else now
        signature = folder_signature(self.live.guides_dir)
        with self._lock:
            if signature != self._seen:
                self._seen, self._changed_at = signature, now
                return None
            if signature == self._handled or now - self._changed_at < self.settle_s:
                return None
            self._handled = signature
            if not signature:  # an unmounted or emptied volume is no reason to forget them all
                self._refused = f"no guides (<lang>/*.md) in {self.live.guides_dir}"
                log.error("guides changed: %s; the old index keeps serving", self._refused)
                return None
        try:
            target = self.live.request_reload()
        except GuideError as exc:
            log.error("guides changed, but a guide is malformed (the old index serves on): %s", exc)
            with self._lock:
                self._refused = str(exc)
            return None
        except OSError as exc:  # the volume went away for a moment: try again next time
            log.error("guides changed, but the folder could not be read: %s", exc)
            with self._lock:
                self._handled = ()
            return None
        log.info("guides changed: reloading the knowledge base (to %s)", target)
        with self._lock:
            self._refused = None
            self._reloads += 1
        return target

    def start(self) -> threading.Thread:
        """Poll every ``interval_s`` in a daemon thread until ``stop()``."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="guides-watch", daemon=True)
            self._thread.start()
        return self._thread

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                self.check()
            except Exception:  # the watch must outlive any one bad poll
                log.exception("the guides watch failed once; it keeps watching")

    def status(self) -> dict[str, Any]:
        """For ``GET /kb``: how often it looks, the last refusal (cleared by a good change),
        how many reloads it requested."""
        with self._lock:
            return {
                "interval_s": self.interval_s,
                "settle_s": self.settle_s,
                "refused": self._refused,
                "reloads": self._reloads,
            }
