"""The labelled demo dev set (knowledge_base/dev/) stays consistent with the guides."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT / "knowledge_base" / "dev"
# the part of a guide a question asks about: a section key, the contact field, or the whole guide
PARTS = {"who", "documents", "steps", "fees", "time", "where", "contact", "general"}
GUIDE_IDS = {p.stem for p in (ROOT / "knowledge_base" / "guides" / "en").glob("*.md")}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_dev_set_is_well_formed_and_covers_every_guide(lang: str) -> None:
    rows = [
        json.loads(line)
        for line in (DEV / f"queries-{lang}.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    assert len(rows) >= 150
    seen: set[str] = set()
    coverage: Counter[str] = Counter()
    for row in rows:
        assert set(row) == {"query", "relevant", "lang", "part"} and row["lang"] == lang
        assert row["part"] in PARTS, f"{row['query']!r}: unknown part {row['part']!r}"
        query = row["query"]
        assert query and query == re.sub(r"\s+", " ", query).strip()
        assert query.casefold() not in seen, f"duplicate query {query!r}"
        seen.add(query.casefold())
        unknown = set(row["relevant"]) - GUIDE_IDS
        assert not unknown, f"{query!r} names unknown guides {unknown}"
        coverage.update(row["relevant"])
    out_of_scope = sum(not row["relevant"] for row in rows)
    assert out_of_scope / len(rows) >= 0.20
    assert {g for g in GUIDE_IDS if coverage[g] < 3} == set()
