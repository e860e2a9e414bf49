"""`civic kb reload`'s client side without servers: where the action servers are, when a
server counts as reloaded, and `civic up`'s watch on the guides folder."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from civic.kb_reload import GuideWatcher, _done, action_urls, service_token
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("env", "urls"),
    [
        ({}, ["http://127.0.0.1:5055"]),
        ({"CIVIC_ACTIONS_PORT": "6001"}, ["http://127.0.0.1:6001"]),
        ({"CIVIC_ACTIONS_URL": "http://actions:5055/webhook"}, ["http://actions:5055"]),
        (
            {"CIVIC_ACTIONS_URLS": "http://a:1/, http://b:2/webhook", "CIVIC_ACTIONS_URL": "x"},
            ["http://a:1", "http://b:2"],
        ),
    ],
)
def test_action_server_urls(env: dict[str, str], urls: list[str]) -> None:
    assert action_urls(env) == urls


def test_the_token_is_the_setting_or_the_development_one(tmp_path: Path) -> None:
    assert service_token({"CIVIC_SERVICE_TOKEN": " s3cret-token-0123456789 "}, tmp_path) == (
        "s3cret-token-0123456789"
    )
    assert service_token({}, tmp_path) == ""
    (tmp_path / "dev-secrets.json").write_text('{"service_token": "from-var-0123456789"}')
    assert service_token({}, tmp_path) == "from-var-0123456789"


def test_a_server_is_done_when_it_serves_the_target_or_a_later_request() -> None:
    serving = {"fingerprint": "new", "target": "new", "reloading": False, "error": None}
    assert _done(serving, "new") == (True, "")
    assert _done({**serving, "fingerprint": "old", "reloading": True}, "new") == (False, "")
    failed = {"fingerprint": "old", "target": "new", "reloading": False, "error": "OSError: x"}
    assert _done(failed, "new") == (True, "OSError: x")
    later = {"fingerprint": "newer", "target": "newer", "reloading": False, "error": None}
    assert _done(later, "new") == (True, "")
    lost = {"fingerprint": "old", "target": "new", "reloading": False, "error": None}
    assert _done(lost, "new")[1] == "serves old, not new"


def test_the_watch_reloads_once_a_change_has_settled(tmp_path: Path) -> None:
    guides = tmp_path / "guides"
    (guides / "en").mkdir(parents=True)
    shutil.copy(ROOT / "knowledge_base" / "guides" / "en" / "passport.md", guides / "en")
    ran = threading.Event()
    runs: list[int] = []

    def on_change() -> None:
        runs.append(1)
        ran.set()

    watcher = GuideWatcher(guides, on_change, settle_s=2.0)
    assert not watcher.poll(10.0)  # nothing changed
    path = guides / "en" / "passport.md"
    path.write_text(path.read_text("utf-8") + "\n", "utf-8")
    assert not watcher.poll(11.0)  # changed: waits for it to settle
    assert not watcher.poll(11.5)  # polled at most once a second
    assert not watcher.poll(12.5)  # unchanged for 1.5 s only
    assert watcher.poll(13.6)  # settled: reload
    assert ran.wait(10)
    assert not watcher.poll(20.0)  # served: nothing more to do
    (guides / "en" / "passport.md").unlink()
    assert not watcher.poll(21.0)
    assert watcher.poll(23.0)  # a removed guide reloads too
    assert watcher._running is not None
    watcher._running.join(10)
    assert len(runs) == 2


# `civic up` (the real cli.cmd_up) over a stand-in stack of one idle process: a saved guide
# makes it run the reload (which finds no action server listening, and says so)
_CHILD = textwrap.dedent(
    """
    import sys
    from civic import cli, stack
    from civic.processes import ManagedProcess

    def build(self):
        self.processes["actions"] = ManagedProcess(
            "actions", ["sleep", "600"], self.config.var_dir / "log" / "actions.log", {},
            self.config.root, lambda: True,
        )

    def up(self, quiet=False):
        self.processes["actions"].start()

    stack.Stack._build = build
    stack.Stack.up = up
    sys.exit(cli.main(["up"]))
    """
)


def test_civic_up_reloads_when_a_guide_is_saved(tmp_path: Path) -> None:
    guides = tmp_path / "guides"
    shutil.copytree(ROOT / "knowledge_base" / "guides", guides)
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "CIVIC_VAR_DIR": str(tmp_path / "var"),
        "CIVIC_GUIDES_DIR": str(guides),
        "CIVIC_ACTIONS_PORT": str(port),
        "CIVIC_SERVICE_TOKEN": "watch-test-token-0123456789",
    }
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD], cwd=ROOT, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    assert child.stdout is not None
    seen: list[str] = []
    try:
        for line in child.stdout:
            seen.append(line)
            if "Ctrl-C stops everything" in line:
                path = guides / "zh" / "passport.md"
                path.write_text(path.read_text("utf-8") + "\n", "utf-8")
            if line.startswith(f"✗ http://127.0.0.1:{port}: no answer"):
                break
    finally:
        child.send_signal(signal.SIGINT)
        child.wait(60)
    text = "".join(seen)
    assert f"guides       {guides} (watched" in text
    assert "guides changed: reloading the knowledge base ..." in text
    assert f"✗ http://127.0.0.1:{port}: no answer" in text
