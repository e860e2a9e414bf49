"""Agent accounts, console sessions, the login rate limit, the audit log and `civic agent`."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest
from redis.asyncio import Redis
from sqlalchemy import select

from bot.agents.account_rules import AccountError
from bot.agents.accounts import AgentAccounts
from bot.agents.console_sessions import LoginFailed, LoginThrottled, digest
from bot.agents.models import Agent
from bot.storage import keys
from bot.storage.db import Database
from tests.conftest import ROOT, migrate
from tests.storage.conftest import FakeClock


def name() -> str:
    return f"agent-{uuid.uuid4().hex[:8]}"


async def test_login_session_logout_and_hashing(
    redis: Redis, db: Database, clock: FakeClock
) -> None:
    accounts = AgentAccounts(db, redis, clock, max_failures=3)
    user = name()
    accounts.add(user, "correct horse battery", "supervisor", "documents")
    with db.session() as s:
        stored = s.scalars(select(Agent.password_hash).where(Agent.username == user)).one()
    assert stored.startswith("$argon2") and "correct" not in stored
    with pytest.raises(AccountError, match="already exists"):
        accounts.add(user, "another password", "agent")
    with pytest.raises(AccountError, match="role"):
        accounts.add(name(), "a good password", "admin")
    token, session = await accounts.login(user, "correct horse battery", "10.0.0.1")
    assert (session.username, session.role, session.team) == (user, "supervisor", "documents")
    assert await redis.exists(keys.agent_session(digest(token)))
    assert not await redis.exists(keys.agent_session(token))  # only the digest is stored
    assert await accounts.session(token) == session
    await accounts.logout(token, user)
    assert await accounts.session(token) is None
    actions = [e["action"] for e in accounts.audit_entries(10) if e["actor"] in (user, "cli")]
    assert actions[:3] == ["logout", "login", "agent_added"]


async def test_login_rate_limit_per_user_and_client(
    redis: Redis, db: Database, clock: FakeClock
) -> None:
    accounts = AgentAccounts(db, redis, clock, max_failures=3, window_s=60)
    user = name()
    accounts.add(user, "correct horse battery", "agent")
    for _ in range(3):
        with pytest.raises(LoginFailed):
            await accounts.login(user, "wrong", "10.0.0.2")
    with pytest.raises(LoginThrottled) as throttled:
        await accounts.login(user, "correct horse battery", "10.0.0.3")  # even the right one
    assert 0 < throttled.value.retry_after_s <= 60
    # the same client guessing other usernames is throttled too
    with pytest.raises(LoginThrottled):
        await accounts.login(name(), "whatever", "10.0.0.2")


def test_cli_adds_an_agent_reading_the_password_from_stdin(database_url: str) -> None:
    migrate(database_url)  # `civic agent` does not migrate (since #19): `civic db upgrade` does
    user = name()
    env = {**os.environ, "DATABASE_URL": database_url}
    command = [sys.executable, "-m", "civic.cli", "agent", "add", user, "--role", "agent"]
    done = subprocess.run(
        [*command, "--team", "documents"], input="a long secret pw\n", env=env, cwd=ROOT,
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "added agent" in done.stdout and "a long secret pw" not in done.stdout
    again = subprocess.run(
        command, input="a long secret pw\n", env=env, cwd=ROOT, capture_output=True,
        text=True, timeout=60, check=False,
    )  # fmt: skip
    assert again.returncode == 1 and "already exists" in again.stderr
    listed = subprocess.run(
        [sys.executable, "-m", "civic.cli", "agent", "list"], env=env, cwd=ROOT,
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert any(line.split() == [user, "agent", "documents"] for line in listed.stdout.splitlines())
    # change it: every role is accepted, a bad value is refused, the change is audited
    base = [sys.executable, "-m", "civic.cli", "agent", "set", user]
    env.pop("REDIS_URL", None)
    changed = subprocess.run(
        [*base, "--role", "caseworker", "--no-team", "--disable"], env=env, cwd=ROOT,
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert changed.returncode == 0, changed.stderr
    assert changed.stdout.startswith(f"{user}: caseworker, team - (disabled)")
    refused = subprocess.run(
        [*base, "--capacity", "99"], env=env, cwd=ROOT, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert refused.returncode == 1 and "capacity" in refused.stderr
    info = AgentAccounts(Database(database_url), None, FakeClock()).get(user)  # type: ignore[arg-type]
    assert info is not None and (info.role, info.team, info.active) == ("caseworker", None, False)
