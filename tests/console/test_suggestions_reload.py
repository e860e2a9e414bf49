"""The console's guide suggestions follow an editor's change without a restart: the changed
folder is noticed on use, a new index is built in the background (the old one answering
meanwhile) and swapped in; a malformed guide leaves the old index in place."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from console.suggestions import Suggestions

ROOT = Path(__file__).resolve().parents[2]
OLD = "Library Card and Borrowing at Lakeside City Library"


def _guides(tmp_path: Path) -> Path:
    guides = tmp_path / "guides"
    for lang in ("en", "zh"):
        (guides / lang).mkdir(parents=True)
        for guide_id in ("passport", "library-card"):
            source = ROOT / "knowledge_base" / "guides" / lang / f"{guide_id}.md"
            shutil.copy(source, guides / lang)
    return guides


async def test_suggestions_switch_to_the_changed_guides(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    guides = _guides(tmp_path)
    suggestions = Suggestions("bm25", {"CIVIC_GUIDES_DIR": str(guides)}, check_s=0.0)
    first = await suggestions.top("library card", "en")
    assert first[0].title == OLD
    assert suggestions.refreshing is None  # nothing changed

    path = guides / "en" / "library-card.md"
    text = path.read_text("utf-8")
    path.write_text(text.replace(f"title: {OLD}", 'title: "Library membership"'))
    with caplog.at_level(logging.INFO, logger="console.suggestions"):
        during = await suggestions.top("library card", "en")
        assert during[0].title == OLD  # the old index answers while it rebuilds
        if suggestions.refreshing is not None:  # (two guides: it may be done already)
            await suggestions.refreshing
    assert "switched to the changed guides" in caplog.text
    after = await suggestions.top("library card", "en")
    assert after[0].title == "Library membership"

    caplog.clear()
    path.write_text(text.replace("## Fees\n", "## Costs\n"))  # malformed: kept as it was
    with caplog.at_level(logging.INFO, logger="console.suggestions"):
        await suggestions.top("library card", "en")
        if suggestions.refreshing is not None:
            await suggestions.refreshing
    assert "keep their previous index" in caplog.text
    kept = await suggestions.top("library card", "en")
    assert kept[0].title == "Library membership" and not suggestions.failed
