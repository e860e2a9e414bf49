"""Reloading a knowledge base in the background: the old one answers until the new one is
complete, then one switch; a malformed guide or a failed build changes nothing. BM25 only (no
models): the machinery is the same whatever the signals."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from kb_testdata import BM25_ONLY, copy_guides, edit

from knowledge_base import GuideError, KnowledgeBase, SearchConfig
from knowledge_base.live import LiveKnowledgeBase, folder_fingerprint, folder_signature

IDS = ("passport", "id-card", "library-card")


def _copy(tmp_path: Path) -> Path:
    return copy_guides(tmp_path, IDS)


class Gate:
    """An opener that waits for ``release`` after the first open (the reloads): before it
    reads the guides, or with ``after`` once it has built from them."""

    def __init__(self, after: bool = False) -> None:
        self.calls = 0
        self.after = after
        self.building = threading.Event()
        self.release = threading.Event()

    def __call__(self, guides: Path, index: Path, config: SearchConfig) -> KnowledgeBase:
        self.calls += 1
        kb = KnowledgeBase.open(guides, index, config) if self.after else None
        if self.calls > 1:
            self.building.set()
            assert self.release.wait(60)
        return kb or KnowledgeBase.open(guides, index, config)


def test_the_old_index_answers_until_the_new_one_is_switched_in(tmp_path: Path) -> None:
    guides = _copy(tmp_path)
    gate = Gate()
    live = LiveKnowledgeBase(guides, tmp_path / "index", BM25_ONLY, gate)
    before = live.current
    assert before.fingerprint == folder_fingerprint(guides, BM25_ONLY)
    assert live.status()["guides"] == {"en": 3, "zh": 3}

    edit(guides / "en" / "passport.md", "## Fees\n", "## Fees\n\n- Marker fee: 77 yuan.\n")
    target = live.request_reload()
    assert target != before.fingerprint
    assert gate.building.wait(60)
    # while the new index builds, the old one answers, and says it is reloading
    assert live.current is before
    old_guide = before.guide("passport", "en")
    assert old_guide is not None and "77 yuan" not in old_guide.sections["fees"]
    status = live.status()
    assert status["reloading"] and status["fingerprint"] == before.fingerprint
    assert status["target"] == target

    gate.release.set()
    assert live.wait(60)
    after = live.current
    assert after is not before and after.fingerprint == target
    guide = after.guide("passport", "en")
    assert guide is not None and "Marker fee: 77 yuan" in guide.sections["fees"]
    assert after.search("marker fee 77 yuan", "en").hits[0].guide_id == "passport"
    assert live.status() | {"last_reload_s": None} == {
        "fingerprint": target,
        "target": target,
        "reloading": False,
        "error": None,
        "guides": {"en": 3, "zh": 3},
        "reloads": 1,
        "last_reload_s": None,
    }
    # the saved index was swapped whole: no staging or old directories are left beside it
    assert sorted(p.name for p in tmp_path.iterdir()) == [".index.lock", "guides", "index"]
    assert KnowledgeBase.load(guides, tmp_path / "index", BM25_ONLY).fingerprint == target


def test_a_malformed_guide_is_refused_and_nothing_changes(tmp_path: Path) -> None:
    guides = _copy(tmp_path)
    live = LiveKnowledgeBase(guides, tmp_path / "index", BM25_ONLY)
    before = live.current
    edit(guides / "zh" / "id-card.md", "## 费用\n", "## 价格\n")
    with pytest.raises(GuideError, match=r"id-card\.md"):
        live.request_reload()
    assert live.current is before
    assert not live.status()["reloading"]


def test_a_failed_build_keeps_the_old_index_and_reports_why(tmp_path: Path) -> None:
    guides = _copy(tmp_path)
    calls: list[int] = []

    def opener(guides_dir: Path, index_dir: Path, config: SearchConfig) -> KnowledgeBase:
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disk full")
        return KnowledgeBase.open(guides_dir, index_dir, config)

    live = LiveKnowledgeBase(guides, tmp_path / "index", BM25_ONLY, opener)
    before = live.current
    edit(guides / "en" / "library-card.md", "## Time\n", "## Time\n\n- Marker time.\n")
    target = live.request_reload()
    assert live.wait(60)
    assert live.current is before
    status = live.status()
    assert status["error"] == "OSError: disk full" and status["fingerprint"] != target

    assert live.request_reload() == target  # tried again: this time it builds
    assert live.wait(60)
    assert live.current.fingerprint == target and live.status()["error"] is None


def test_the_folder_signature_changes_when_a_guide_is_saved_added_or_removed(
    tmp_path: Path,
) -> None:
    guides = _copy(tmp_path)
    first = folder_signature(guides)
    assert len(first) == 6
    edit(guides / "en" / "passport.md", "## Steps\n", "## Steps\n\n0. Marker.\n")
    second = folder_signature(guides)
    assert second != first
    shutil.copy(guides / "en" / "passport.md", guides / "en" / "passport-copy.md")
    assert len(folder_signature(guides)) == 7
    (guides / "en" / "passport-copy.md").unlink()
    assert folder_signature(guides) == second
    assert folder_signature(tmp_path / "missing") == ()


def test_a_request_for_the_index_already_served_rebuilds_nothing(tmp_path: Path) -> None:
    """The folder's watch and `civic kb reload` may both ask for the same change: a request
    finds it served (or being built) and adds no rebuild; a request for other guides made
    while one builds gets one more rebuild after it."""
    guides = _copy(tmp_path)
    gate = Gate(after=True)  # each rebuild reads the guides first, then waits
    live = LiveKnowledgeBase(guides, tmp_path / "index", BM25_ONLY, gate)
    before = live.current
    assert live.request_reload() == before.fingerprint
    assert not live.status()["reloading"] and gate.calls == 1
    edit(guides / "en" / "passport.md", "## Fees\n", "## Fees\n\n- Twice asked.\n")
    target = live.request_reload()
    assert gate.building.wait(60)
    assert live.request_reload() == target  # the same guides, asked again while it builds
    gate.release.set()
    assert live.wait(60)
    assert live.current.fingerprint == target and gate.calls == 2
    assert live.request_reload() == target and gate.calls == 2  # served: nothing to do
    assert live.status()["reloads"] == 1

    gate.building.clear()
    gate.release.clear()
    edit(guides / "en" / "passport.md", "- Twice asked.\n", "- Asked a third time.\n")
    third = live.request_reload()
    assert gate.building.wait(60)
    edit(guides / "zh" / "passport.md", "## 费用\n", "## 费用\n\n- 又改了。\n")
    fourth = live.request_reload()  # other guides than it read: one more rebuild after it
    assert len({before.fingerprint, target, third, fourth}) == 4
    gate.release.set()
    while live.status()["fingerprint"] != fourth:
        assert live.wait(60)
    assert gate.calls == 4 and live.status()["reloads"] == 3


def test_a_new_calibration_is_a_reload_of_its_own(tmp_path: Path) -> None:
    """`civic kb calibrate` writes the decisions; `civic kb reload` (same guides) switches the
    servers to them: the calibration file is part of what a knowledge base serves."""
    from dataclasses import replace

    from knowledge_base.calibration import save_decisions

    guides = _copy(tmp_path)
    config = replace(BM25_ONLY, calibration_path=tmp_path / "calibration.json")
    live = LiveKnowledgeBase(guides, tmp_path / "index", config)
    before = live.current
    assert live.request_reload() == before.fingerprint  # nothing changed: nothing to do
    save_decisions(config.calibration_path, {}, {"en": 0})
    target = live.request_reload()
    assert target != before.fingerprint and target == folder_fingerprint(guides, config)
    assert live.wait(60)
    assert live.current is not before and live.current.fingerprint == target
    assert live.current.index.build_stats.get("embedded") in (None, 0)  # the index was reused
