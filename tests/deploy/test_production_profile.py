"""The production profile: the rendered production overlay run as processes on this machine.

Two replicas each of the gateway, the action server and Rasa, started from the images' file
trees with the commands, arguments and environment of the rendered manifests (tests/deploy/
profile.py says what is substituted), against managed-service stand-ins: a TLS-only Redis with
a password (rediss://, Rasa's tracker and lock stores included) and a PostgreSQL cluster with
ssl=on reached with sslmode=verify-full (tests/tls_services.py). The gateways start before the
schema exists and wait for it, saying so; the migrations Job's command brings it; then a
conversation in each language, a form to its reference number and a handoff to an agent go
through both gateways, metrics answer on their own port only, the retention CronJob's command
runs, and an editor's change on the guides volume reaches both action servers by itself and
through the civic-kb-reload Job's command.

The heaviest test of the suite (six servers on a shared machine): one conversation of each
kind, no more.
"""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.deploy.image_tree import Image
from tests.deploy.profile import Cluster, Pod
from tests.tls_services import make_certificates, ssl_postgres, tls_redis

pytestmark = pytest.mark.integration

API_KEY = "production-profile-api-key-0123456789"
PASSWORD = "correct horse battery staple"
REFERENCE = re.compile(r"RC-\d{4}-\d{6}")


WAITING = "waiting for the database schema"  # bot/storage/db.py, Database.wait_for_schema


@pytest.fixture(scope="module")
def cluster(
    trees: dict[str, Image], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    workdir = tmp_path_factory.mktemp("profile")
    certs = make_certificates(workdir / "certs")
    with tls_redis(workdir / "redis", certs) as redis_url, ssl_postgres(certs) as database_url:
        secret = {
            "REDIS_URL": redis_url,
            "DATABASE_URL": database_url,
            "CIVIC_API_KEYS": API_KEY,
            "CIVIC_SERVICE_TOKEN": secrets.token_urlsafe(24),
            "CIVIC_WEB_SECRET": secrets.token_urlsafe(24),
        }
        cluster = Cluster(trees, secret, workdir)
        seeded = cluster.pod("Job", "civic-guides-seed").run()
        assert seeded.returncode == 0 and "guides copied" in seeded.stdout, seeded.stderr
        pods: dict[str, list[Pod]] = {
            name: [cluster.pod("Deployment", f"civic-{name}", i) for i in range(2)]
            for name in ("actions", "rasa", "gateway")
        }
        everything = [p for group in pods.values() for p in group]
        try:
            for pod in everything:
                pod.start()
            gateways = pods["gateway"]
            # their own line (alembic's start-up lines also name "schemas")
            _wait_for(lambda: all(WAITING in g.log_text() for g in gateways), 300,
                      "the gateways saying they wait for the schema")  # fmt: skip
            for gateway in gateways:
                assert not _ready(gateway)  # no traffic before the migrations ran
            migrated = cluster.pod("Job", "civic-migrate").run()
            assert migrated.returncode == 0, migrated.stdout + migrated.stderr
            for pod in everything:
                pod.wait_ready()
            yield {"pods": pods, "cluster": cluster, "secret": secret}
        finally:
            for pod in reversed(everything):
                pod.stop()


def _ready(pod: Pod) -> bool:
    assert pod.readiness
    try:
        return httpx.get(pod.readiness, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _wait_for(predicate: Any, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


class Citizen:
    """A citizen whose messages alternate between the two gateways."""

    def __init__(self, gateways: list[Pod], lang: str) -> None:
        self.id = f"prod-{secrets.token_hex(6)}"
        self.lang = lang
        self.urls = [g.url(8000) for g in gateways]
        self.turn = 0
        self.last: dict[str, Any] = {}

    def say(self, text: str) -> str:
        url = self.urls[self.turn % len(self.urls)]
        self.turn += 1
        response = httpx.post(
            f"{url}/api/v1/conversations/{self.id}/messages",
            json={"text": text, "lang": self.lang},
            headers={"Authorization": f"Bearer {API_KEY}"}, timeout=120,
        )  # fmt: skip
        assert response.status_code == 200, response.text
        self.last = response.json()
        return "\n".join(m["text"] for m in self.last["messages"])

    def history(self, after: int = 0) -> dict[str, Any]:
        response = httpx.get(
            f"{self.urls[1]}/api/v1/conversations/{self.id}/messages", params={"after": after},
            headers={"Authorization": f"Bearer {API_KEY}"}, timeout=60,
        )  # fmt: skip
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


def test_every_process_healthy_on_tls_services(cluster: dict[str, Any]) -> None:
    for pod in cluster["pods"]["gateway"]:
        health = httpx.get(pod.url(8000, "/healthz"), timeout=30).json()
        assert health["status"] == "ok", health
    assert cluster["secret"]["REDIS_URL"].startswith("rediss://")
    assert "sslmode=verify-full" in cluster["secret"]["DATABASE_URL"]


def test_a_conversation_in_each_language(cluster: dict[str, Any]) -> None:
    gateways = cluster["pods"]["gateway"]
    english = Citizen(gateways, "en")
    assert "ID card" in english.say("How do I renew my ID card?")
    chinese = Citizen(gateways, "zh")
    assert "身份证" in chinese.say("身份证怎么换")


def test_a_form_to_its_reference_number(cluster: dict[str, Any]) -> None:
    citizen = Citizen(cluster["pods"]["gateway"], "en")
    steps = [
        ("I want to report a broken streetlight", "Where is it"),
        ("Outside number 12, Willow Lane", "Step 3 of 5"),
        ("The lamp has been off for a week", "Step 4 of 5"),
        ("skip", "Step 5 of 5"),
        ("13812345678", "Please check"),
    ]
    for text, expected in steps:
        reply = citizen.say(text)
        assert expected in reply, f"{text!r} -> {reply!r}"
    assert REFERENCE.search(citizen.say("confirm")), citizen.last


def test_a_handoff_to_an_agent(cluster: dict[str, Any]) -> None:
    gateways: list[Pod] = cluster["pods"]["gateway"]
    username = f"agent-{secrets.token_hex(4)}"
    added = subprocess.run(  # as an operator would: `kubectl exec` into a gateway pod
        [*gateways[0].argv[:1], "-m", "civic.cli", "agent", "add", username, "--role", "agent"],
        input=PASSWORD + "\n", env=gateways[0].env, cwd=gateways[0].image.cwd,
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    citizen = Citizen(gateways, "en")
    citizen.say("I want to talk to a real person")
    assert citizen.last["state"]["mode"] == "waiting_for_agent"
    console = httpx.Client(base_url=gateways[1].url(8000), timeout=60)
    login = console.post(
        "/api/v1/agent/login", json={"username": username, "password": PASSWORD, "session": "token"}
    )
    assert login.status_code == 200, login.text
    console.headers["Authorization"] = f"Bearer {login.json()['token']}"
    queue = console.get("/api/v1/agent/queue").json()
    (ticket,) = [t for t in queue["waiting"] if t["conversation_id"] == f"rest:{citizen.id}"]
    path = f"/api/v1/agent/tickets/{ticket['id']}"
    assert console.post(path + "/claim").status_code == 200
    assert console.post(path + "/messages", json={"text": "Hello, this is Ana."}).status_code == 201
    seen = citizen.history()
    assert seen["state"]["mode"] == "with_agent"
    assert seen["messages"][-1]["text"] == "Hello, this is Ana."


def test_metrics_on_their_own_port_only(cluster: dict[str, Any]) -> None:
    gateway: Pod = cluster["pods"]["gateway"][0]
    metrics = httpx.get(gateway.url(9100, "/metrics"), timeout=30)
    assert metrics.status_code == 200 and "civic_" in metrics.text
    assert httpx.get(gateway.url(8000, "/metrics"), timeout=30).status_code == 404


def test_retention_cronjob_command(cluster: dict[str, Any]) -> None:
    job: Pod = cluster["cluster"].pod("CronJob", "civic-retention")
    done = job.run()
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["dry_run"] is False and "deleted" in report


def test_an_editors_change_reaches_every_action_server(cluster: dict[str, Any]) -> None:
    """The guides volume edited: each action server follows it by itself (CIVIC_KB_WATCH_S
    from the ConfigMap), a citizen gets the new text through either gateway, and the
    civic-kb-reload Job's command reaches both replicas (the headless Service)."""
    token = {"Authorization": f"Bearer {cluster['secret']['CIVIC_SERVICE_TOKEN']}"}
    actions: list[Pod] = cluster["pods"]["actions"]

    def fingerprints() -> list[str | None]:
        statuses = [httpx.get(p.url(5055, "/kb"), headers=token, timeout=30) for p in actions]
        return [None if s.json()["reloading"] else s.json()["fingerprint"] for s in statuses]

    def followed() -> bool:  # both serve one new index, neither is rebuilding
        now = fingerprints()
        return None not in now and len(set(now)) == 1 and now[0] != before

    (before,) = set(fingerprints())
    guide = cluster["cluster"].claims["civic-guides"] / "en" / "passport.md"
    original = guide.read_text("utf-8")
    title = 'title: "Apply for or renew a passport and travel permits"'
    marker = f"volume edit {uuid.uuid4().hex[:8]}"
    assert title in original
    guide.chmod(0o644)  # the editor's write access to the volume
    try:
        guide.write_text(original.replace(title, title[:-1] + f' ({marker})"'), "utf-8")
        _wait_for(followed, 600, "both action servers to follow the edit by themselves")
        (edited,) = set(fingerprints())
        citizen = Citizen(cluster["pods"]["gateway"], "en")
        for _ in range(2):  # through each gateway, Rasa and action server
            assert marker in citizen.say("How do I get a passport for the first time?")
    finally:
        guide.write_text(original, "utf-8")
    job: Pod = cluster["cluster"].pod("CronJob", "civic-kb-reload")
    done = job.run()
    assert done.returncode == 0, done.stdout + done.stderr
    found = [line for line in done.stdout.splitlines() if line.startswith("✓ ")]
    assert "2 action server(s) found at 127.0.0.1:" in done.stdout and len(found) == 2
    assert fingerprints() == [before, before] != [edited, edited]


def test_clustering_cronjob_command(cluster: dict[str, Any]) -> None:
    """The clustering CronJob's command, environment and mounts as rendered: it reaches the
    database and writes its (here empty) run; models load only when there are questions."""
    job: Pod = cluster["cluster"].pod("CronJob", "civic-insights-cluster")
    done = job.run()
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["days"] == 28 and result["clusters"] == result["questions"] == 0
