"""`rasa test core` on the form paths (tests/rasa/forms_stories.yml) with the current model."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from civic.training import rasa_bin, rasa_env, train
from tests.conftest import ROOT

pytestmark = pytest.mark.integration
STORIES = ROOT / "tests" / "rasa" / "forms_stories.yml"


def test_form_stories_pass_rasa_test(tmp_path: Path) -> None:
    if not rasa_bin(ROOT).exists():
        pytest.skip(".venv-rasa is not installed (make setup)")
    model = train(ROOT, quiet=True)  # no-op when the model is up to date
    result = subprocess.run(
        [
            str(rasa_bin(ROOT)),
            "test",
            "core",
            "--stories",
            str(STORIES),
            "--model",
            str(model),
            "--out",
            str(tmp_path),
            "--fail-on-prediction-errors",
        ],
        cwd=ROOT,
        env=rasa_env(ROOT),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    failed = tmp_path / "failed_test_stories.yml"
    report = failed.read_text() if failed.exists() else ""
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:] + report
    assert "story:" not in report, report
    stories = tmp_path / "story_report.json"
    assert stories.exists(), "rasa test wrote no story report"
