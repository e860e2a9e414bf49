"""rasa_ext/civic_schema_once.py (loaded by sitecustomize.py), run in Rasa's own Python:
validation stays exactly as strict."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"

PROGRAM = """
import jsonschema
from rasa.core.actions.action import RemoteAction
assert jsonschema.validate.__module__ == "civic_schema_once", jsonschema.validate.__module__
spec = RemoteAction.action_response_format_spec()
good = {"events": [{"event": "slot", "name": "lang", "value": "zh"}], "responses": []}
for _ in range(3):
    jsonschema.validate(good, spec)
for bad in ({"events": "not a list"}, {"events": [{"no_event_key": 1}]}):
    try:
        jsonschema.validate(bad, spec)
    except jsonschema.ValidationError:
        pass
    else:
        raise SystemExit(f"accepted {bad}")
try:
    jsonschema.validate({}, {"type": "nonsense-type"})
except jsonschema.SchemaError:
    pass
else:
    raise SystemExit("an invalid schema was not reported")
print("ok")
"""


@pytest.mark.skipif(not RASA_PYTHON.exists(), reason=".venv-rasa is not installed")
def test_schema_checked_once_validation_unchanged() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "rasa_ext")}
    done = subprocess.run(
        [str(RASA_PYTHON), "-c", PROGRAM], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().endswith("ok")


METADATA_PROGRAM = """
import asyncio
import civic_metadata_slots as m
from rasa.core.actions.action import ActionExtractSlots
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered, ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker

assert ActionExtractSlots.run is m.run, "action_extract_slots is not patched"
domain = Domain.load("intents/domain")
assert "action_validate_slot_mappings" not in domain.user_actions

def tracker(metadata, slots=()):
    events = [ActionExecuted("action_listen"), *slots,
              UserUttered("hi", {"name": "greet", "confidence": 1.0}, metadata=metadata)]
    return DialogueStateTracker.from_events("t", events, slots=domain.slots)

def names(events):
    return {e.key: e.value for e in events}

# every valid value is copied into its slot
got = names(m.metadata_slot_events(
    tracker({"lang": "zh", "simple_mode": True, "channel": "telegram"}), domain, []))
assert got == {"lang": "zh", "simple_mode": True, "channel": "telegram"}, got
# unchanged values add no event (the tracker does not grow every message)
same = tracker({"lang": "zh", "simple_mode": True, "channel": "web"},
               [SlotSet("lang", "zh"), SlotSet("simple_mode", True), SlotSet("channel", "web")])
assert m.metadata_slot_events(same, domain, []) == [], m.metadata_slot_events(same, domain, [])
# invalid values leave the slots alone; a long channel name is cut
got = names(m.metadata_slot_events(
    tracker({"lang": "fr", "simple_mode": "yes", "channel": "x" * 99}), domain, []))
assert got == {"channel": "x" * 40}, got
assert m.metadata_slot_events(tracker(None), domain, []) == []
assert m.metadata_slot_events(tracker({"lang": "zh"}), domain, [SlotSet("lang", "zh")]) == []

# through Rasa's own action_extract_slots, no action server involved
action = ActionExtractSlots(action_endpoint=None)
events = asyncio.run(action.run(None, None, tracker({"lang": "zh", "simple_mode": True}), domain))
assert names(events) == {"lang": "zh", "simple_mode": True}, events
print("ok")
"""

STORE_PROGRAM = """
import asyncio, sys, uuid
from urllib.parse import urlparse
from civic_tracker_store import CivicRedisTrackerStore
from rasa.core.tracker_store import RedisTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

url = urlparse(sys.argv[1])
domain = Domain.load("intents/domain")
db = int((url.path or "/0")[1:] or 0)
kw = dict(host=url.hostname, port=url.port, db=db, key_prefix="rasatest")
store = CivicRedisTrackerStore(domain, host=sys.argv[1], key_prefix="rasatest")
plain = RedisTrackerStore(domain, **kw)
sender = "t-" + uuid.uuid4().hex

async def main():
    tracker = DialogueStateTracker.from_events(sender, [
        ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
        UserUttered("hi", {"name": "greet", "confidence": 1.0})], slots=domain.slots)
    await store.save(tracker)
    again = await store.retrieve(sender)
    assert again is not None and list(again.events) == list(tracker.events)
    again.update(SlotSet("lang", "zh"))
    await store.save(again)
    # Rasa's own store reads what ours wrote (same key, same JSON)
    theirs = await plain.retrieve_full_tracker(sender)
    assert [e.as_dict() for e in theirs.events] == [e.as_dict() for e in again.events]
    assert theirs.get_slot("lang") == "zh"
    # a second session: ours keeps returning the whole conversation, so a save loses nothing
    again.update(ActionExecuted("action_session_start"))
    again.update(SessionStarted())
    again.update(UserUttered("more", {"name": "greet", "confidence": 1.0}))
    await store.save(again)
    full = await store.retrieve(sender)
    assert len(full.events) == len(again.events), (len(full.events), len(again.events))
    await store.save(full)
    assert len((await plain.retrieve_full_tracker(sender)).events) == len(again.events)
    store.red.delete(store.key_prefix + sender)

asyncio.run(main())
print("ok")
"""


def _run_rasa_python(program: str, *args: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "rasa_ext")}
    done = subprocess.run(
        [str(RASA_PYTHON), "-c", program, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().endswith("ok")


@pytest.mark.skipif(not RASA_PYTHON.exists(), reason=".venv-rasa is not installed")
def test_metadata_slots_set_inside_rasa_only_on_change() -> None:
    _run_rasa_python(METADATA_PROGRAM)


@pytest.mark.skipif(not RASA_PYTHON.exists(), reason=".venv-rasa is not installed")
def test_tracker_store_saves_without_merge_and_stays_readable_by_rasa(redis_url: str) -> None:
    _run_rasa_python(STORE_PROGRAM, redis_url)


LOCK_AND_STORE_OVER_TLS = """
import asyncio, sys, uuid
from civic_tracker_store import CivicRedisLockStore, CivicRedisTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

url = sys.argv[1]
domain = Domain.load("intents/domain")
store = CivicRedisTrackerStore(domain, host=url, key_prefix="rasa")
locks = CivicRedisLockStore(EndpointConfig(url=url, key_prefix="rasa"))
sender = "tls-" + uuid.uuid4().hex
assert store.red.connection_pool.connection_class.__name__ == "SSLConnection"

async def main():
    async with locks.lock(sender, wait_time_in_seconds=0.1):
        assert locks.get_lock(sender) is not None
        tracker = DialogueStateTracker.from_events(sender, [
            ActionExecuted("action_listen"), UserUttered("hi", {"name": "greet", "confidence": 1})])
        await store.save(tracker)
    assert len((await store.retrieve(sender)).events) == 2
    assert store.red.exists(store.key_prefix + sender)
    assert not locks.red.exists(locks.key_prefix + sender)  # released
    store.red.delete(store.key_prefix + sender)


asyncio.run(main())
print("ok")
"""


HTTP_PROGRAM = r"""
import asyncio

from aiohttp import web
from rasa.utils.endpoints import ClientResponseError
from rasa.utils.endpoints import EndpointConfig

import civic_http  # noqa: F401  (replaces EndpointConfig.request)

peers = []


async def webhook(request):
    peers.append(request.transport.get_extra_info("peername"))
    body = await request.json()
    if body.get("fail"):
        return web.Response(status=500, text="boom")
    return web.json_response({"echo": body, "auth": request.headers.get("X-Token")})


async def main():
    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    config = EndpointConfig(f"http://127.0.0.1:{port}/webhook", headers={"X-Token": "t"})
    first = await config.request(json={"n": 1})
    second = await config.request(json={"n": 2})
    assert first == {"echo": {"n": 1}, "auth": "t"} and second["echo"] == {"n": 2}
    assert len(peers) == 2 and peers[0] == peers[1], peers  # one pooled connection, reused
    try:
        await config.request(json={"fail": True})
        raise AssertionError("a 500 must raise")
    except ClientResponseError as exc:
        assert exc.status == 500
    await config._civic_session[1].close()
    await runner.cleanup()


asyncio.run(main())
print("ok")
"""


@pytest.mark.skipif(not RASA_PYTHON.exists(), reason=".venv-rasa is not installed")
def test_tracker_and_lock_stores_over_tls_with_a_password(tmp_path: Path) -> None:
    """REDIS_URL=rediss://:password@host/0?ssl_ca_certs=... reaches Rasa's tracker and lock
    stores: a TLS-only Redis with a password (Debian's redis-server) serves both."""
    from tests.tls_services import make_certificates, tls_redis

    certs = make_certificates(tmp_path / "certs")
    with tls_redis(tmp_path / "redis", certs) as url:
        _run_rasa_python(LOCK_AND_STORE_OVER_TLS, url)


@pytest.mark.skipif(not RASA_PYTHON.exists(), reason=".venv-rasa is not installed")
def test_action_server_calls_share_one_pooled_connection_inside_rasa() -> None:
    _run_rasa_python(HTTP_PROGRAM)
