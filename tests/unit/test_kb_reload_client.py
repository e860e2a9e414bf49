"""`civic kb reload`'s client side without servers: where the action servers are, when a
server counts as reloaded, and `civic up`'s watch on the guides folder."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from civic.kb_reload import GuideWatcher, _done, action_urls, service_token

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
