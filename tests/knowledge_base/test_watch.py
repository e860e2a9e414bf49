"""The guides folder's own watch (knowledge_base/watch.py) over a real LiveKnowledgeBase:
a saved guide is reloaded once the change has settled, a malformed one is refused and the old
index serves on, an emptied folder is not taken for "no guides". BM25 only; the polls are
driven with explicit times (``check(now)``), so nothing here waits for a clock."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest
from kb_testdata import BM25_ONLY, copy_guides, edit

from knowledge_base.live import LiveKnowledgeBase, folder_fingerprint
from knowledge_base.watch import GuideWatch

IDS = ("passport", "id-card", "library-card")


def _copy(tmp_path: Path) -> Path:
    return copy_guides(tmp_path, IDS)


def test_a_saved_guide_is_reloaded_once_the_change_has_settled(tmp_path: Path) -> None:
    guides = _copy(tmp_path)
    live = LiveKnowledgeBase(guides, tmp_path / "index", BM25_ONLY)
    watch = GuideWatch(live, interval_s=1.0)  # made before the first open, as the server does
    before = live.current
    assert watch.settle_s == 2.0
    assert watch.check(100.0) is None  # nothing changed

    edit(guides / "en" / "passport.md", "## Fees\n", "## Fees\n\n- Watch marker: 55 yuan.\n")
    assert watch.check(101.0) is None  # seen: waits for the change to settle
    assert watch.check(102.0) is None  # unchanged for 1 s only
    target = watch.check(103.0)
    assert target == folder_fingerprint(guides, BM25_ONLY) != before.fingerprint
    assert live.wait(60)
    assert live.current.fingerprint == target
    assert live.current.search("watch marker 55 yuan", "en").hits[0].guide_id == "passport"
    assert watch.check(110.0) is None  # served: nothing more to do
    assert watch.status() == {"interval_s": 1.0, "settle_s": 2.0, "refused": None, "reloads": 1}

    (guides / "zh" / "library-card.md").unlink()  # a removed guide reloads too
    assert watch.check(111.0) is None
    assert watch.check(113.0) is not None
    assert live.wait(60)
    assert live.status()["guides"] == {"en": 3, "zh": 2}


def test_an_edit_during_the_settle_time_restarts_it(tmp_path: Path) -> None:
    guides = _copy(tmp_path)
    live = LiveKnowledgeBase(guides, tmp_path / "index", BM25_ONLY)
    watch = GuideWatch(live, interval_s=10.0)
    assert live.current.fingerprint
    assert watch.settle_s == 10.0  # in a cluster: one full interval
    path = guides / "en" / "id-card.md"
    edit(path, "## Time\n", "## Time\n\n- First save.\n")
    assert watch.check(0.0) is None
    edit(path, "- First save.\n", "- Second save, longer.\n")
    assert watch.check(9.0) is None  # changed again: the settle time starts anew
    assert watch.check(18.0) is None
    assert watch.check(19.0) == folder_fingerprint(guides, BM25_ONLY)


def test_a_malformed_guide_keeps_the_old_index_and_says_why(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    guides = _copy(tmp_path)
    live = LiveKnowledgeBase(guides, tmp_path / "index", BM25_ONLY)
    watch = GuideWatch(live, interval_s=1.0)
    before = live.current
    path = guides / "zh" / "id-card.md"
    original = path.read_text("utf-8")
    edit(path, "## 费用\n", "## 价格\n")
    with caplog.at_level(logging.ERROR, logger="knowledge_base.watch"):
        assert watch.check(1.0) is None
        assert watch.check(3.0) is None  # settled, checked, refused
    assert live.current is before and not live.status()["reloading"]
    refused = watch.status()["refused"]
    assert refused is not None and "zh/id-card.md" in refused
    assert "old index serves on" in caplog.text and "zh/id-card.md" in caplog.text
    assert watch.check(10.0) is None  # the same malformed folder is not tried again

    path.write_text(original, "utf-8")  # fixed: same guides as served, so nothing to rebuild
    assert watch.check(11.0) is None
    assert watch.check(13.0) == before.fingerprint
    assert live.current is before and watch.status()["refused"] is None


def test_an_emptied_folder_is_refused(tmp_path: Path) -> None:
    """A volume that is (for a moment) not mounted shows an empty folder: keep the guides."""
    guides = _copy(tmp_path)
    live = LiveKnowledgeBase(guides, tmp_path / "index", BM25_ONLY)
    watch = GuideWatch(live, interval_s=1.0)
    before = live.current
    moved = tmp_path / "elsewhere"
    guides.rename(moved)
    assert watch.check(1.0) is None
    assert watch.check(3.0) is None
    assert live.current is before
    assert f"no guides (<lang>/*.md) in {guides}" == watch.status()["refused"]
    moved.rename(guides)  # back: the same guides as served
    assert watch.check(4.0) is None
    assert watch.check(6.0) == before.fingerprint and live.current is before


def test_the_thread_polls_by_itself(tmp_path: Path) -> None:
    guides = _copy(tmp_path)
    live = LiveKnowledgeBase(guides, tmp_path / "index", BM25_ONLY)
    watch = GuideWatch(live, interval_s=0.05, settle_s=0.1)
    before = live.current
    edit(guides / "en" / "library-card.md", "## Time\n", "## Time\n\n- Thread marker.\n")
    target = folder_fingerprint(guides, BM25_ONLY)
    watch.start()
    try:
        while live.status()["fingerprint"] != target:
            assert watch._thread is not None and watch._thread.is_alive()
            time.sleep(0.02)
    finally:
        watch.stop()
    assert live.current is not before and watch.status()["reloads"] == 1


def test_no_watch_without_an_interval(tmp_path: Path) -> None:
    live = LiveKnowledgeBase(_copy(tmp_path), tmp_path / "index", BM25_ONLY)
    with pytest.raises(ValueError, match="0 means: no watch"):
        GuideWatch(live, interval_s=0)
