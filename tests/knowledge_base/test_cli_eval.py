"""`civic kb eval --no-calibrate` on a corpus nothing was fitted on: real decisions (answers and
declines from the zero-shot model), not a wall of "clarify"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_zero_shot import FAQS

from civic.kb_cli import main


def test_eval_without_calibration_gives_real_decisions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    faqs = tmp_path / "faqs.jsonl"
    faqs.write_text(
        "".join(
            json.dumps({"id": i, "questions": q, "answer": a, "lang": "en"}) + "\n"
            for i, (q, a) in FAQS.items()
        ),
        "utf-8",
    )
    queries = tmp_path / "queries.jsonl"
    rows = [
        ("where can I get a card to borrow books", ["library-card"]),
        ("my neighbours play loud music every night", ["noise-complaint"]),
        ("how can I get rid of an old armchair", ["bulky-waste"]),
        ("what's the weather in Paris tomorrow", []),
        ("recommend a good pizza recipe", []),
        ("who won the football match yesterday", []),
    ]
    queries.write_text(
        "".join(json.dumps({"query": q, "relevant": r, "lang": "en"}) + "\n" for q, r in rows),
        "utf-8",
    )
    args = ["kb", "eval", "--faqs", str(faqs), "--queries", str(queries), "--no-calibrate"]
    assert main([*args, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["queries"] == 6
    assert report["clarify_rate"] == 0.0  # the shipped model has no clarify band
    assert report["two_way_accuracy"] >= 5 / 6
    assert report["oos_auroc"] >= 0.9
    assert "zero-shot" in report["split"]
