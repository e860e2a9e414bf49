"""The images hold everything: each image's file tree, assembled exactly as its Dockerfile's
COPY/ADD lines do (tests/deploy/image_tree.py; .venv and .venv-rasa stand in for the base
images), runs the assistant. The action server, Rasa and the gateway start from those trees,
with the commands the images and manifests give them, on a read-only tree (only the emptyDir
mount points writable) without the right to override file permissions; the action server
registers every form and loads every guide, /healthz says ok, and a question, in each
language, is answered from a guide. A path the Dockerfile forgets fails here.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from civic import ports
from civic.processes import ManagedProcess, http_ok
from tests.deploy.conftest import NO_OVERRIDE, app_env, isolation
from tests.deploy.image_tree import ROOT, Image, assemble
from tests.deploy.tools import find

pytestmark = pytest.mark.integration

API_KEY = "image-tree-api-key-0123456789"
SERVICE_TOKEN = "image-tree-service-token-0123456789"


def _process(name: str, image: Image, argv: list[str], env: dict[str, str], log: Path,
             healthy: Any) -> ManagedProcess:  # fmt: skip
    return ManagedProcess(name, [*NO_OVERRIDE, *image.argv(argv)], log, env, image.cwd, healthy)


def _substitute(argv: list[str], port: int) -> list[str]:
    """Host ports substituted: --port N -> a free port, --host 0.0.0.0 -> loopback."""
    out = list(argv)
    for flag, value in (("--port", str(port)), ("--host", "127.0.0.1")):
        if flag in out:
            out[out.index(flag) + 1] = value
    return out


@pytest.fixture(scope="module")
def stack(
    trees: dict[str, Image], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    app, rasa = trees["app"], trees["rasa"]
    logs = tmp_path_factory.mktemp("logs")
    isolate = isolation(tmp_path_factory.mktemp("isolate"))
    redis_url = os.environ.get("REDIS_URL") or pytest.skip("needs REDIS_URL (a real Redis)")
    client = redis.Redis.from_url(redis_url)
    gateway_port, actions_port, rasa_port = (ports.free_port() for _ in range(3))
    tmp = str(app.path("/tmp"))
    common = {
        "REDIS_URL": redis_url,
        "DATABASE_URL": f"sqlite:///{app.path('/app/var')}/civic.db",
        "CIVIC_API_KEYS": API_KEY,
        "CIVIC_SERVICE_TOKEN": SERVICE_TOKEN,
        "CIVIC_ACTIONS_PORT": str(actions_port),
        "CIVIC_ACTIONS_URL": f"http://127.0.0.1:{actions_port}/webhook",
        "CIVIC_GATEWAY_URL": f"http://127.0.0.1:{gateway_port}",
        "RASA_URL": f"http://127.0.0.1:{rasa_port}",
        "SANIC_HOST": "127.0.0.1",
        "HOME": tmp,
        "TMPDIR": tmp,
    }
    env = app_env(app, isolate, **common)
    actions_argv = find("Deployment", "civic-actions")["spec"]["template"]["spec"]["containers"][0][
        "command"
    ]
    actions = _process(
        "action server (image)", app, actions_argv, env, logs / "actions.log",
        lambda: http_ok(f"http://127.0.0.1:{actions_port}/health"),
    )  # fmt: skip
    rasa_env = rasa.env(
        REDIS_URL=redis_url, CIVIC_ACTIONS_URL=common["CIVIC_ACTIONS_URL"],
        HOME=str(rasa.path("/tmp")), TMPDIR=str(rasa.path("/tmp")),
    )  # fmt: skip
    rasa_argv = [*_substitute(rasa.default_command, rasa_port), "--interface", "127.0.0.1"]
    rasa_process = _process(
        "Rasa (image)", rasa, rasa_argv, rasa_env, logs / "rasa.log",
        lambda: http_ok(f"http://127.0.0.1:{rasa_port}/"),
    )  # fmt: skip
    gateway = _process(
        "gateway (image)", app, _substitute(app.default_command, gateway_port), env,
        logs / "gateway.log", lambda: http_ok(f"http://127.0.0.1:{gateway_port}/healthz"),
    )  # fmt: skip
    migrate = find("Job", "civic-migrate")["spec"]["template"]["spec"]["containers"][0]["command"]
    started: list[ManagedProcess] = []
    try:
        for process in (actions, rasa_process, gateway):
            process.start()
            started.append(process)
        # the gateway waits for the schema: the migrations Job's command, from the image
        migrated = subprocess.run(
            [*NO_OVERRIDE, *app.argv(migrate)], env=env, cwd=app.cwd, capture_output=True,
            text=True, timeout=300, check=False,
        )  # fmt: skip
        assert migrated.returncode == 0, migrated.stdout + migrated.stderr
        for process in (actions, rasa_process, gateway):
            process.wait_healthy(480)
        yield {
            "gateway": f"http://127.0.0.1:{gateway_port}",
            "actions": f"http://127.0.0.1:{actions_port}",
            "rasa": f"http://127.0.0.1:{rasa_port}",
            "logs": logs,
        }
    finally:
        for process in reversed(started):
            process.stop()
        client.close()


def test_trees_hold_what_the_processes_need(trees: dict[str, Image], tmp_path: Path) -> None:
    app, rasa = trees["app"], trees["rasa"]
    program = "import bot, civic, knowledge_base; print(bot.__file__)"
    env = app_env(app, isolation(tmp_path / "isolate"))
    done = subprocess.run(
        app.argv(["python", "-c", program]), env=env, cwd=app.cwd, capture_output=True,
        text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.stdout.startswith(str(app.root)), done.stdout + done.stderr  # not this checkout
    program = "import sys; print([f for f in sys.meta_path if 'editable' in repr(f)], sys.path)"
    paths = subprocess.run(
        app.argv(["python", "-c", program]), env=env, cwd=app.cwd, capture_output=True,
        text=True, timeout=120, check=False,
    )  # fmt: skip
    assert paths.stdout.startswith("[] ")  # what the tree lacks is not found in this checkout
    assert str(ROOT) not in paths.stdout.replace(str(app.root), "")
    for path in ("/app/intents/forms", "/app/knowledge_base/guides/en", "/app/console/static",
                 "/app/channels/static", "/app/bot/storage/migrations/versions"):  # fmt: skip
        assert app.path(path).is_dir(), path
    assert not app.path("/app/tests").exists() and not app.path("/app/var/civic.db").exists()
    assert rasa.path("/app/models/civic.tar.gz").stat().st_size > 1_000_000
    assert rasa.default_command[0] == "civic-rasa"
    assert app.stage.user != "root" and rasa.stage.user != "root"
    assert app.stage.healthcheck and rasa.stage.healthcheck


def test_action_server_has_every_form(stack: dict[str, Any]) -> None:
    registered = {a["name"] for a in httpx.get(stack["actions"] + "/actions", timeout=30).json()}
    forms = sorted(p.stem for p in (ROOT / "intents" / "forms").glob("*.yml"))
    assert forms
    assert {f"validate_{form}" for form in forms} <= registered
    log = (stack["logs"] / "actions.log").read_text()
    assert "knowledge base ready" in log


def test_gateway_healthy_and_a_question_answered_in_each_language(stack: dict[str, Any]) -> None:
    health = httpx.get(stack["gateway"] + "/healthz", timeout=30).json()
    assert health["status"] == "ok", health
    headers = {"Authorization": f"Bearer {API_KEY}"}
    for text, lang, expected in (
        ("How do I renew my ID card?", "en", "ID card"),
        ("身份证怎么换", "zh", "身份证"),
    ):
        citizen = f"image-{uuid.uuid4().hex[:10]}"
        reply = httpx.post(
            f"{stack['gateway']}/api/v1/conversations/{citizen}/messages",
            json={"text": text, "lang": lang}, headers=headers, timeout=120,
        )  # fmt: skip
        assert reply.status_code == 200, reply.text
        answer = "\n".join(m["text"] for m in reply.json()["messages"])
        assert expected in answer, answer


def test_rasa_image_does_not_need_rasa_ext_on_its_path(trees: dict[str, Image]) -> None:
    """rasa_ext is installed as a package: the tree's Rasa imports it with no PYTHONPATH of
    ours, and its entry point's module applies the patches (the schema checked once)."""
    rasa = trees["rasa"]
    program = (
        "import civic_rasa, jsonschema, civic_tracker_store; "
        "assert jsonschema.validate.__module__ == 'civic_schema_once'; print('ok')"
    )
    assert rasa.argv(["civic-rasa"])[0].startswith(str(rasa.root))  # the package's entry point
    env = rasa.env(HOME=str(rasa.path("/tmp")))
    assert str(ROOT / "rasa_ext") not in env.get("PYTHONPATH", "")
    done = subprocess.run(
        [*NO_OVERRIDE, *rasa.argv(["python", "-c", program])], env=env, cwd=rasa.cwd,
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]


def test_a_forgotten_path_fails(tmp_path: Path) -> None:
    """The assembly can fail: a Dockerfile without `COPY intents intents` gives an action
    server with no forms, and one that copies a path the context lacks does not build."""
    text = (ROOT / "Dockerfile").read_text()
    broken = tmp_path / "Dockerfile"
    broken.write_text(text.replace("COPY intents intents\n", "COPY intent intents\n"))
    with pytest.raises(AssertionError, match="COPY intent: not in the build context"):
        assemble(broken, tmp_path / "tree")
