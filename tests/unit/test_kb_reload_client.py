"""`civic kb reload`'s client side without servers: where the action servers are (listed, or
discovered: every address a name resolves to), when a server counts as reloaded, and that
`civic up` leaves the guides folder's watch to the action server."""

from __future__ import annotations

from pathlib import Path

import pytest

from civic.kb_reload import (
    DiscoveryError,
    _done,
    action_urls,
    discover,
    reload_command,
    service_token,
)
from civic.stack import Stack
from civic.stack_config import StackConfig
from tests.cluster_dns import cluster_dns
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


def test_discovery_resolves_a_name_to_its_addresses() -> None:
    """Real resolution: a name, an IPv4 and an IPv6 literal, several specs at once."""
    assert discover("localhost:5055") == ["http://127.0.0.1:5055"]
    assert discover("http://127.0.0.2:6001/") == ["http://127.0.0.2:6001"]
    assert discover("[::1]:5055, 127.0.0.1:5055") == [
        "http://127.0.0.1:5055",
        "http://[::1]:5055",
    ]
    env = {"CIVIC_ACTIONS_DISCOVERY": "localhost:6002", "CIVIC_ACTIONS_URLS": "http://a:1"}
    assert action_urls(env) == ["http://127.0.0.1:6002"]  # discovery wins over a list


def test_discovery_lists_every_pod_behind_a_headless_service() -> None:
    resolve = cluster_dns("civic-actions-headless", "10.1.0.7", "10.1.3.4", "10.1.0.7", "fd00::9")
    assert discover("civic-actions-headless:5055", resolve) == [
        "http://10.1.0.7:5055",  # each address once
        "http://10.1.3.4:5055",
        "http://[fd00::9]:5055",
    ]


@pytest.mark.parametrize("spec", ["civic-actions-headless", "host:port", ":5055", "h:70000", ","])
def test_a_malformed_discovery_setting_is_refused(spec: str) -> None:
    with pytest.raises(DiscoveryError, match="CIVIC_ACTIONS_DISCOVERY"):
        discover(spec)


def test_a_name_without_addresses_fails_the_command(tmp_path: Path) -> None:
    env = {
        "CIVIC_ACTIONS_DISCOVERY": "civic-actions-headless:5055",
        "CIVIC_SERVICE_TOKEN": "discovery-test-token-0123456789",
    }
    lines: list[str] = []
    code = reload_command(env, tmp_path, 5, lines.append, cluster_dns("other-name"))
    assert code == 1
    assert lines[0].startswith("✗ no action server found: civic-actions-headless:5055 does not")
    lines.clear()  # a real name no server listens on: found, then reported unreachable
    port = free_port()
    assert reload_command({**env, "CIVIC_ACTIONS_DISCOVERY": f"localhost:{port}"},
                          tmp_path, 5, lines.append) == 1  # fmt: skip
    assert lines[0] == f"1 action server(s) found at localhost:{port}"
    assert lines[1].startswith(f"✗ http://127.0.0.1:{port}: no answer")


def test_civic_up_leaves_the_watch_to_the_action_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One mechanism: `civic up` polls nothing itself; its action server watches every second
    (unless CIVIC_KB_WATCH_S says otherwise)."""
    monkeypatch.delenv("CIVIC_KB_WATCH_S", raising=False)
    stack = Stack(StackConfig.from_env(ROOT, {"CIVIC_VAR_DIR": str(tmp_path / "var")}))
    assert stack.env()["CIVIC_KB_WATCH_S"] == "1"
    assert stack.processes["actions"].env["CIVIC_KB_WATCH_S"] == "1"
    monkeypatch.setenv("CIVIC_KB_WATCH_S", "0")
    assert stack.env()["CIVIC_KB_WATCH_S"] == "0"
