"""Gateways never migrate: they wait for the schema `civic db upgrade` brings, saying so."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.storage.db import Database, SchemaNotReady

ROOT = Path(__file__).resolve().parents[2]


def test_waits_for_the_migrations_and_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = Database(f"sqlite:///{tmp_path / 'civic.db'}")
    with pytest.raises(SchemaNotReady, match="civic db upgrade"):
        db.wait_for_schema(0.5, poll_s=0.1)
    assert not db.schema_state().ready
    other = Database(db.url)  # the migrations Job, elsewhere
    timer = threading.Timer(1.0, other.migrate)
    timer.start()
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="bot.storage.db"):
        db.wait_for_schema(120, poll_s=0.1, say_every_s=0.2)
    timer.join()
    assert time.monotonic() - started >= 0.9  # it waited for the other process
    assert "waiting for the database schema" in caplog.text and "civic db upgrade" in caplog.text
    assert db.schema_state().ready
    with db.engine.begin() as connection:  # a later release migrated first (rolling upgrade)
        head = sorted(db.expected_schema())[-1]
        connection.execute(
            text(
                "UPDATE alembic_version SET version_num = 'from_the_future' WHERE version_num = :v"
            ),
            {"v": head},
        )
    state = db.schema_state()
    assert state.newer and state.ready
    db.wait_for_schema(0)
    db.dispose()
    other.dispose()


def _civic(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "civic.cli", *args], env=env, cwd=ROOT, capture_output=True,
        text=True, timeout=120, check=False,
    )  # fmt: skip


def test_civic_db_upgrade_and_status(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'civic.db'}"}
    behind = _civic("db", "status", env=env)
    assert behind.returncode == 1 and "civic db upgrade" in behind.stdout
    refused = _civic("agent", "list", env=env)  # no command migrates by the way
    assert refused.returncode != 0 and "civic db upgrade" in refused.stderr
    done = _civic("db", "upgrade", env=env)
    assert done.returncode == 0 and "database schema at" in done.stdout, done.stderr
    assert "(unchanged)" in _civic("db", "upgrade", env=env).stdout
    assert _civic("db", "status", "--json", env=env).returncode == 0
