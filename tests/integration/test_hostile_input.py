"""Hostile and odd input through the REST channel: clear errors, nothing crashes, nothing is
lost, and a flooding citizen is slowed down without affecting anybody else."""

from __future__ import annotations

import concurrent.futures
import os
import subprocess
import sys
import time
import uuid
from typing import Any

import httpx
import pytest
import redis
import schemathesis
from hypothesis import HealthCheck, given, settings
from sqlalchemy import select

from bot.storage import keys
from bot.storage.db import Database
from bot.storage.models import TranscriptMessage
from civic.stack import Stack

from .conftest import API_KEY, Citizen

pytestmark = pytest.mark.integration
AUTH = {"Authorization": f"Bearer {API_KEY}"}


def post(stack: Stack, cid: str, body: Any, raw: bytes | None = None) -> httpx.Response:
    url = f"{stack.gateway_url}/api/v1/conversations/{cid}/messages"
    if raw is not None:
        return httpx.post(url, content=raw, headers={**AUTH, "Content-Type": "application/json"})
    return httpx.post(url, json=body, headers=AUTH, timeout=60)


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("a" * 4001, 413),
        ("", 422),
        ("   \n\t ", 422),
        ("\u200b\u200c\u200d\ufeff", 422),
        ("\x00\x01\x02", 422),
        ("😀😀🎉", 200),
        ("مرحبا، أريد تجديد جواز السفر", 200),
        ("\u202eevil\u202c passport renewal", 200),
        ("a" * 4000, 200),
    ],
)
def test_odd_messages_get_clear_answers(stack: Stack, text: str, status: int) -> None:
    response = post(stack, f"odd-{uuid.uuid4().hex[:8]}", {"text": text})
    assert response.status_code == status, response.text
    body = response.json()
    if status == 200:
        assert body["messages"], "the citizen always gets a reply"
    else:
        assert body["error"]["code"] and body["error"]["message"]


def test_binary_and_malformed_bodies(stack: Stack) -> None:
    for raw in (b"\xff\xfe\x00binary", b'{"text": "unterminated', b"[]", b'{"text": 5}'):
        response = post(stack, "odd-binary", None, raw=raw)
        assert response.status_code == 422, raw
        assert response.json()["error"]["code"] == "invalid_body"


def test_sql_looking_text_is_stored_verbatim(stack: Stack) -> None:
    citizen = Citizen(stack)
    text = "Robert'); DROP TABLE messages;-- and 1=1 OR ''='"
    citizen.say(text)
    url = stack.config.database_url or f"sqlite:///{stack.config.var_dir / 'civic.db'}"
    db = Database(url)
    try:
        with db.session() as session:
            stored = session.scalars(
                select(TranscriptMessage.text).where(
                    TranscriptMessage.citizen_id == f"rest:{citizen.id}",
                    TranscriptMessage.sender == "citizen",
                )
            ).all()
    finally:
        db.dispose()
    assert stored == [text]


def test_a_flooding_citizen_is_rate_limited_others_are_not(stack: Stack) -> None:
    flooder = f"flood-{uuid.uuid4().hex[:8]}"
    started = time.time()
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda i: post(stack, flooder, {"text": f"hi {i}"}), range(1000)))
        bystander = Citizen(stack)
        bystander.say("Hello")
    # fixed one-minute windows: each window the flood touched gives one allowance of 30 (the
    # gateway counts on this machine's clock; a slow machine spreads the flood over more)
    windows = int(time.time() // 60) - int(started // 60) + 1
    codes = [r.status_code for r in statuses]
    assert codes.count(200) <= 30 * windows and codes.count(429) >= 1000 - 30 * windows
    limited = next(r for r in statuses if r.status_code == 429)
    assert int(limited.headers["Retry-After"]) >= 1
    assert "very quickly" in limited.json()["error"]["message"]
    assert "Lakeside City assistant" in bystander.texts()
    for _ in range(61):  # within one window the 31st at the latest is refused, in Chinese too
        zh = post(stack, flooder, {"text": "你好"})  # (a new window may have begun meanwhile)
        if zh.status_code == 429:
            break
    assert zh.status_code == 429 and "太快" in zh.json()["error"]["message"]


def test_openapi_fuzz_no_server_errors_and_json_errors(stack: Stack) -> None:
    """schemathesis generates requests for every operation of the OpenAPI document."""
    agent = f"fuzz-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, **stack.env()}
    subprocess.run(
        [sys.executable, "-m", "civic.cli", "agent", "add", agent, "--role", "supervisor"],
        input="fuzz password 123\n", text=True, env=env, check=True, capture_output=True,
    )  # fmt: skip
    login = httpx.post(
        stack.gateway_url + "/api/v1/agent/login",
        json={"username": agent, "password": "fuzz password 123", "session": "token"},
    )
    assert login.status_code == 200, login.text
    agent_auth = {"Authorization": f"Bearer {login.json()['token']}"}
    schema = schemathesis.openapi.from_url(stack.gateway_url + "/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    failures: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=15, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def fuzz(case: Any) -> None:
            as_agent = case.formatted_path.startswith(("/api/v1/agent", "/api/v1/reports"))
            response = case.call(headers=agent_auth if as_agent else AUTH, timeout=60)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.status_code}")
            elif response.status_code >= 400:
                kind = response.headers.get("content-type") or ""
                kind = kind[0] if isinstance(kind, list) else kind  # schemathesis: value lists
                body = response.json() if kind.startswith("application/json") else None
                if not isinstance(body, dict) or "error" not in body:
                    failures.append(f"{case.method} {case.formatted_path}: non-JSON error")

        fuzz()
    # the fuzzed logins count as failures of this client address: forget them, so the tests
    # that run after this one (in any order) can still log in
    redis.Redis.from_url(stack.redis_url).delete(keys.agent_login_failures("client:127.0.0.1"))
    assert not failures, "\n".join(sorted(set(failures)))


@pytest.mark.parametrize(
    ("text", "lang", "said"),
    [("repeat", "en", "not said anything yet"), ("再说一遍", "zh", "还没有说过")],
)
def test_repeat_before_anything_was_said_gets_an_answer(
    stack: Stack, text: str, lang: str, said: str
) -> None:
    """'repeat' as a conversation's first message (or what the NLU takes for one: a key held
    down) has nothing to copy: the citizen is told so, with a way to a person."""
    body = post(stack, f"rep-{uuid.uuid4().hex[:8]}", {"text": text, "lang": lang}).json()
    (message,) = body["messages"]
    assert said in message["text"] and message["buttons"][0]["payload"] == "/request_human"
