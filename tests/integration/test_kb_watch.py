"""Guides on a shared volume, several action servers: each replica follows the folder by itself
(no command), a malformed guide keeps every replica on the old index, and `civic kb reload`
with discovery reaches every replica and waits for each.

Two real action servers (`python -m actions.server`) on 127.0.0.1 and 127.0.0.2, the same
port as pods would have, one guides folder shared by both (the volume), an index directory
each (their emptyDirs); BM25 only, so no model loads. Discovery: the headless Service's name
is answered by a stand-in for the cluster's DNS (tests/cluster_dns.py) with both addresses;
`localhost` resolves for real."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from civic.kb_reload import reload_command
from knowledge_base import SearchConfig
from knowledge_base.live import folder_fingerprint
from tests.cluster_dns import cluster_dns
from tests.conftest import ROOT, free_port

pytestmark = pytest.mark.integration

TOKEN = "kb-watch-test-token-0123456789"
ADDRESSES = ("127.0.0.1", "127.0.0.2")
IDS = ("passport", "id-card", "library-card")
HEADLESS = "civic-actions-headless"


@dataclass
class Replicas:
    guides: Path
    port: int
    env: dict[str, str]
    processes: list[subprocess.Popen[bytes]]
    logs: list[Path]

    @property
    def urls(self) -> list[str]:
        return [f"http://{a}:{self.port}" for a in ADDRESSES]

    def expected(self) -> str:
        """The fingerprint an index of the folder as it is now will have."""
        return folder_fingerprint(self.guides, SearchConfig.from_env(self.env))

    def statuses(self) -> list[dict[str, Any]]:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        return [httpx.get(u + "/kb", headers=headers, timeout=30).json() for u in self.urls]

    def wait_until(self, done: Any, what: str) -> list[dict[str, Any]]:
        """Poll both servers until ``done(status)`` holds for each (fails if one exits)."""
        while True:
            for process, log in zip(self.processes, self.logs, strict=True):
                assert process.poll() is None, f"{what}: a server exited\n{log.read_text()[-3000:]}"
            statuses = self.statuses()
            if all(done(s) for s in statuses):
                return statuses
            time.sleep(0.2)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


@pytest.fixture(scope="module")
def replicas(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replicas]:
    base = tmp_path_factory.mktemp("kb-watch")
    guides = base / "volume" / "guides"
    for lang in ("en", "zh"):
        (guides / lang).mkdir(parents=True)
        for guide_id in IDS:
            shutil.copy(ROOT / "knowledge_base" / "guides" / lang / f"{guide_id}.md", guides / lang)
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "CIVIC_GUIDES_DIR": str(guides),
        "CIVIC_KB_MODEL_EN": "none",
        "CIVIC_KB_MODEL_ZH": "none",
        "CIVIC_KB_WATCH_S": "0.5",
        "CIVIC_SERVICE_TOKEN": TOKEN,
        "CIVIC_ACTIONS_PORT": str(port),
        "CIVIC_GATEWAY_URL": "http://127.0.0.1:9",
    }
    processes: list[subprocess.Popen[bytes]] = []
    logs: list[Path] = []
    try:
        for i, address in enumerate(ADDRESSES):
            pod = base / f"pod-{i}"
            log = pod / "actions.log"
            pod.mkdir()
            pod_env = {
                **env,
                "SANIC_HOST": address,
                "CIVIC_VAR_DIR": str(pod / "var"),
                "CIVIC_INDEX_DIR": str(pod / "index"),
            }
            with log.open("wb") as out:
                process = subprocess.Popen(
                    [sys.executable, "-m", "actions.server"], cwd=ROOT, env=pod_env,
                    stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                )  # fmt: skip
            processes.append(process)
            logs.append(log)
        for process, log, address in zip(processes, logs, ADDRESSES, strict=True):
            while True:
                assert process.poll() is None, log.read_text()[-3000:]
                try:
                    if httpx.get(f"http://{address}:{port}/health", timeout=5).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.2)
        yield Replicas(guides, port, env, processes, logs)
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def test_every_replica_follows_the_volume_without_a_command(replicas: Replicas) -> None:
    before = replicas.statuses()
    assert [s["fingerprint"] for s in before] == [replicas.expected()] * 2
    assert [s["watch"]["interval_s"] for s in before] == [0.5, 0.5]

    _edit(replicas.guides / "en" / "passport.md", "## Fees\n", "## Fees\n\n- Volume marker.\n")
    target = replicas.expected()
    assert target != before[0]["fingerprint"]
    after = replicas.wait_until(lambda s: s["fingerprint"] == target, "the edit")
    for status in after:
        assert status["watch"]["reloads"] >= 1 and status["watch"]["refused"] is None
        assert status["error"] is None and status["guides"] == {"en": 3, "zh": 3}
    for log in replicas.logs:
        assert "guides changed: reloading the knowledge base" in log.read_text()


def test_a_malformed_guide_keeps_every_replica_on_the_old_index(replicas: Replicas) -> None:
    served = replicas.wait_until(lambda s: not s["reloading"], "idle")[0]["fingerprint"]
    path = replicas.guides / "zh" / "id-card.md"
    original = path.read_text("utf-8")
    try:
        _edit(path, "## 费用\n", "## 价格\n")
        statuses = replicas.wait_until(
            lambda s: "zh/id-card.md" in (s["watch"]["refused"] or ""), "the malformed guide"
        )
        assert [s["fingerprint"] for s in statuses] == [served, served]
        assert not any(s["reloading"] for s in statuses)
        for log in replicas.logs:
            text = log.read_text()
            assert "a guide is malformed (the old index serves on)" in text and "id-card" in text
    finally:
        path.write_text(original, "utf-8")
    statuses = replicas.wait_until(lambda s: s["watch"]["refused"] is None, "the fix")
    assert [s["fingerprint"] for s in statuses] == [served, served]


def test_kb_reload_discovers_every_replica_and_waits_for_each(
    replicas: Replicas, tmp_path: Path
) -> None:
    _edit(replicas.guides / "en" / "library-card.md", "## Time\n", "## Time\n\n- Reload marker.\n")
    target = replicas.expected()
    env = {**replicas.env, "CIVIC_ACTIONS_DISCOVERY": f"{HEADLESS}:{replicas.port}"}
    lines: list[str] = []
    code = reload_command(env, tmp_path, 600, lines.append, cluster_dns(HEADLESS, *ADDRESSES))
    assert code == 0, lines
    assert lines[0] == f"2 action server(s) found at {HEADLESS}:{replicas.port}"
    assert len(lines) == 3
    for line, url in zip(lines[1:], replicas.urls, strict=True):
        assert line.startswith(f"✓ {url}: serves {target}"), lines
    # returned: every replica serves the edit already, nothing is left to wait for
    assert [s["fingerprint"] for s in replicas.statuses()] == [target, target]

    # the command itself, resolving a real name: localhost is 127.0.0.1, one of the two
    done = subprocess.run(
        [sys.executable, "-m", "civic.cli", "kb", "reload"], cwd=ROOT, capture_output=True,
        text=True, check=False,
        env={**env, "CIVIC_ACTIONS_DISCOVERY": f"localhost:{replicas.port}"},
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"✓ http://127.0.0.1:{replicas.port}: serves {target}" in done.stdout
