"""The action server's one settings object: checked whole at start; a server with no forms or
no guides refuses to start and says why."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from actions.settings import ActionConfigError, ActionSettings
from tests.conftest import ROOT


def test_the_defaults_are_this_repository() -> None:
    settings = ActionSettings.from_env({})
    assert settings.forms_dir == ROOT / "intents" / "forms"
    assert settings.guides_dir == ROOT / "knowledge_base" / "guides"
    assert str(settings.timezone) == "Asia/Shanghai" and settings.port == 5055
    assert settings.kb_watch_s == 10.0  # the image and the cluster watch the guides by default
    assert ActionSettings.from_env({"CIVIC_KB_WATCH_S": "0"}).kb_watch_s == 0.0  # off
    assert ActionSettings.from_env({"CIVIC_KB_WATCH_S": "2.5"}).kb_watch_s == 2.5


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"CIVIC_FORMS_DIR": "EMPTY"}, "CIVIC_FORMS_DIR: no forms"),
        ({"CIVIC_GUIDES_DIR": "EMPTY"}, "CIVIC_GUIDES_DIR: no guides"),
        ({"CIVIC_TIMEZONE": "Mars/Olympus"}, "CIVIC_TIMEZONE must be a time zone"),
        ({"CIVIC_ACTIONS_PORT": "http"}, "CIVIC_ACTIONS_PORT must be a port number"),
        ({"CIVIC_GATEWAY_URL": "gateway:8000"}, "CIVIC_GATEWAY_URL must be an http"),
        ({"CIVIC_TORCH_THREADS": "0"}, "CIVIC_TORCH_THREADS must be >= 1"),
        ({"CIVIC_KB_WATCH_S": "-1"}, "CIVIC_KB_WATCH_S must be seconds"),
        ({"CIVIC_KB_WATCH_S": "often"}, "CIVIC_KB_WATCH_S must be seconds"),
        ({"CIVIC_KB_WATCH_S": "nan"}, "CIVIC_KB_WATCH_S must be seconds"),
    ],
)
def test_a_bad_setting_is_named(tmp_path: Path, change: dict[str, str], message: str) -> None:
    env = {k: str(tmp_path) if v == "EMPTY" else v for k, v in change.items()}
    with pytest.raises(ActionConfigError, match=message):
        ActionSettings.from_env(env)


def test_the_server_refuses_to_start_without_forms(tmp_path: Path) -> None:
    env = {**os.environ, "CIVIC_FORMS_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "actions.server"], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert f"CIVIC_FORMS_DIR: no forms (*.yml) in {tmp_path}" in result.stderr.splitlines()[-1]
