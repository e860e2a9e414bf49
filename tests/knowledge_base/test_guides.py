from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from kb_testdata import GUIDES

from knowledge_base import GuideError, load_guides, parse_guide
from knowledge_base.guide import SECTION_KEYS


def test_every_guide_parses_and_validates() -> None:
    guides = load_guides(GUIDES)
    assert len(guides) >= 2
    for guide in guides:
        assert tuple(guide.sections) == SECTION_KEYS
        assert isinstance(guide.reviewed, dt.date)
    en = {g.id for g in guides if g.lang == "en"}
    zh = {g.id for g in guides if g.lang == "zh"}
    assert en == zh, f"guides missing a language version: {sorted(en ^ zh)}"


def _copy(tmp_path: Path) -> Path:
    source = sorted((GUIDES / "en").glob("*.md"))[0]
    target = tmp_path / "en" / source.name
    target.parent.mkdir(parents=True)
    shutil.copy(source, target)
    return target


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("\ntitle:", "\ntitle_x:", "title"),
        ("\ncategory: ", "\ncategory: nonsense-", "category"),
        ("\nreviewed: ", "\nreviewed: not-a-date-", "reviewed"),
        ("## Fees", "## Prices", "sections"),
        ("\nlang: en", "\nlang: zh", "lang"),
    ],
)
def test_malformed_guide_names_file_and_field(
    tmp_path: Path, old: str, new: str, field: str
) -> None:
    path = _copy(tmp_path)
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")
    with pytest.raises(GuideError) as info:
        parse_guide(path)
    assert info.value.field == field or field in str(info.value)
    assert str(path) in str(info.value)


def test_missing_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "en" / "x.md"
    path.parent.mkdir()
    path.write_text("# no front matter\n", "utf-8")
    with pytest.raises(GuideError, match="front matter"):
        load_guides(tmp_path)
