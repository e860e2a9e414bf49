"""Retention that forgets, on the real stack: an old conversation's ID number is gone from
Redis (Rasa's tracker, the session), from SQL (transcript, the closed case's answers) and from
disk (uploads, the SQLite file, the embedded Redis's append-only file, the logs), while a
recent conversation is kept whole; a citizen who comes back is told, in their language.

"Old" and "recent" are real: the old conversations happen first, then the recent one, and
`civic retention run --as-of` runs as on the day after the moment between them with a one-day
period."""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis
from sqlalchemy import create_engine, text

from actions.validators.id_number import check_character
from bot.cases.store import CaseStore
from bot.clock import SystemClock
from bot.errors import NotFound
from bot.storage import keys
from bot.storage.db import Database
from civic.db_cli import database_url
from civic.stack import Stack
from tests.conftest import ROOT

from .test_forms import REFERENCE, FormCitizen

pytestmark = pytest.mark.integration


def _id_number(birth: str) -> str:
    """A valid, unique ID number of someone born on `birth` (YYYYMMDD)."""
    first17 = "110105" + birth + f"{secrets.randbelow(1000):03d}"
    return first17 + check_character(first17)


def _play(citizen: FormCitizen, steps: list[tuple[str, str]]) -> str:
    reply = ""
    for said, expected in steps:
        reply = citizen.send(said)
        assert expected in reply or (expected == "RC-" and REFERENCE.search(reply)), (said, reply)
    return reply


def _redis_holds(client: redis.Redis, needle: str) -> list[str]:
    found = []
    for key in client.scan_iter(count=1000):
        kind = client.type(key)
        if kind == b"string":
            values = [client.get(key) or b""]
        elif kind == b"hash":
            values = list(client.hgetall(key).values())
        elif kind == b"set":
            values = list(client.smembers(key))
        elif kind == b"list":
            values = client.lrange(key, 0, -1)
        else:
            continue
        if any(needle.encode() in v for v in values) or needle.encode() in key:
            found.append(key.decode())
    return found


def _sql_holds(url: str, needle: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            pattern = {"p": f"%{needle}%"}
            messages = connection.execute(
                text("SELECT count(*) FROM messages WHERE text LIKE :p"), pattern
            ).scalar_one()
            cases = connection.execute(
                text("SELECT count(*) FROM cases WHERE CAST(answers AS TEXT) LIKE :p"), pattern
            ).scalar_one()
    finally:
        engine.dispose()
    return int(messages) + int(cases)


def _disk_holds(directory: Path, needle: str) -> list[str]:
    return [
        str(p.relative_to(directory))
        for p in directory.rglob("*")
        if p.is_file() and needle.encode() in p.read_bytes()
    ]


def test_an_old_conversation_is_forgotten_a_recent_one_kept(stack: Stack) -> None:
    env = stack.env()
    uploads = stack.config.var_dir / "uploads" / "telegram"
    uploads.mkdir(parents=True, exist_ok=True)
    old_id, recent_id = _id_number("19440312"), _id_number("19900101")

    # old: a form finished (then resolved by the back office), and a form paused with its draft
    finished = FormCitizen(stack, "en")
    _play(finished, [
        ("I want to apply for the old age allowance", "Step 1 of 6"),
        # the date of birth is read from the ID number, so its step is not asked (#24)
        ("Zhang Guiying", "Step 2 of 6"), (old_id, "Step 4 of 6"),
        ("Room 301, 8 Willow Lane, Lakeside", "Step 5 of 6"),
        ("6222 0212 3456 7890 123", "Step 6 of 6"), ("13812345678", "Please check"),
        ("confirm", "RC-"),
    ])  # fmt: skip
    reference = REFERENCE.search(finished.texts())
    assert reference
    db = Database(database_url(env))
    CaseStore(db, SystemClock()).change_status(reference.group(0), "closed", "test", notify=False)
    paused = FormCitizen(stack, "zh")
    _play(paused, [(f"我要给奶奶申请高龄津贴，身份证号{old_id}", "第1步，共6步"),
                   ("先暂停一下", "已保存")])  # fmt: skip
    (uploads / f"old-{secrets.token_hex(4)}.jpg").write_bytes(
        b"photo of ID card " + old_id.encode()
    )

    time.sleep(1.5)
    between = datetime.now(UTC)
    time.sleep(1.5)

    recent = FormCitizen(stack, "en")
    _play(recent, [("I need to renew my residence permit", "Step 1 of 7"),
                   ("Maria Lopez", "Step 2 of 7"), (recent_id, "Step 3 of 7")])  # fmt: skip
    recent_file = uploads / f"recent-{secrets.token_hex(4)}.jpg"
    recent_file.write_bytes(b"photo " + recent_id.encode())

    client = redis.Redis.from_url(stack.redis_url)
    assert _redis_holds(client, old_id) and _sql_holds(database_url(env), old_id)

    as_of = (between + timedelta(days=1)).isoformat()
    command = [sys.executable, "-m", "civic.cli", "retention", "run", "--days", "1",
               "--case-days", "1", "--as-of", as_of, "--json"]  # fmt: skip
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])["deleted"]
    assert report["rasa_trackers"] >= 2 and report["sessions"] >= 2, report
    assert report["cases"] >= 1 and report["uploads"] >= 1, report

    # gone: from Redis, SQL and disk
    assert _redis_holds(client, old_id) == []
    assert _sql_holds(database_url(env), old_id) == 0
    assert _disk_holds(stack.config.var_dir, old_id) == []
    for citizen in (finished, paused):
        assert not client.exists(keys.RASA_TRACKER_PREFIX + f"rest:{citizen.id}")
    with pytest.raises(NotFound):  # closed past its period: deleted with its events
        CaseStore(db, SystemClock()).find(reference.group(0))

    # kept: the recent conversation, whole
    assert client.exists(keys.RASA_TRACKER_PREFIX + f"rest:{recent.id}")
    assert _redis_holds(client, recent_id)
    assert _sql_holds(database_url(env), recent_id) >= 1
    assert recent_file.exists()
    assert "Step 4 of 7" in recent.send((datetime.now(UTC) + timedelta(days=10)).date().isoformat())

    # the citizen who paused comes back: told what was deleted, in Chinese; no draft left
    marker = json.loads(client.get(keys.session(f"rest:{paused.id}")) or "{}")
    assert marker.get("forgotten") and marker.get("lang") == "zh", marker
    reply = paused.send("继续")
    assert "之前的对话已经删除" in reply and "没有未完成的申请" in reply, reply
    assert "之前的对话已经删除" not in paused.send("你好")  # told once
    client.close()
    db.dispose()
