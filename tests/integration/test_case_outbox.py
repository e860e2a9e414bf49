"""The webhook outbox survives a gateway killed between the commit and the delivery.

A real gateway process (uvicorn, as `civic up` starts it; no Rasa needed) hands a submitted
case to a department system, which holds the first POST open: the gateway is killed (SIGKILL)
while it waits. The entry was committed with the case; after the restart it is delivered again
with the same webhook-id, and the signatures are checked by a verifier written here from the
Standard Webhooks specification."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bot.cases.models import OutboxEntry
from bot.storage.db import Database
from civic.stack import SERVER_OPTIONS
from tests.conftest import ROOT, free_port, migrate
from tests.standard_webhooks import verify

pytestmark = pytest.mark.integration
SECRET = "whsec_" + base64.b64encode(b"outbox-crash-test-secret-012345").decode()
TOKEN = "outbox-test-service-token-0123456789"


class Department:
    """A department system that keeps the first POST waiting until `release` is set."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.release = threading.Event()
        box = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                box.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                if len(box.received) == 1:
                    box.release.wait(120)  # the gateway dies meanwhile
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/cases"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()


def wait_until(check: Callable[[], Any], what: str, within_s: float = 90) -> Any:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def department() -> Iterator[Department]:
    found = Department()
    yield found
    found.close()


def test_an_outbox_entry_is_delivered_after_a_crash_with_the_same_webhook_id(
    department: Department, embedded_redis_url: str, tmp_path: Path
) -> None:
    port = free_port()
    database = f"sqlite:///{tmp_path / 'civic.db'}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CIVIC_")},
        "REDIS_URL": embedded_redis_url,
        "DATABASE_URL": database,
        "CIVIC_VAR_DIR": str(tmp_path),
        "CIVIC_API_KEYS": "outbox-test-api-key-0123456789",
        "CIVIC_SERVICE_TOKEN": TOKEN,
        "RASA_URL": f"http://127.0.0.1:{free_port()}",  # not needed here
        "CIVIC_WEBHOOK_URL_REPORT_STREET_PROBLEM": department.url,
        "CIVIC_WEBHOOK_SECRET_REPORT_STREET_PROBLEM": SECRET,
        "CIVIC_WEBHOOK_TIMEOUT_S": "3",  # a delivery's lease: 2 x 3 + 5 s
        "CIVIC_CASE_SWEEP_S": "0.5",
    }
    argv = [sys.executable, "-m", "uvicorn", "civic.app:create_app", "--factory",
            "--host", "127.0.0.1", "--port", str(port), *SERVER_OPTIONS]  # fmt: skip
    log = (tmp_path / "gateway.log").open("ab")
    migrate(database)  # gateways wait for the schema; `civic up` or the migrations Job makes it

    def start() -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)

        def up() -> bool:
            assert proc.poll() is None, (tmp_path / "gateway.log").read_text()[-2000:]
            try:
                return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code > 0
            except httpx.HTTPError:
                return False

        wait_until(up, "the gateway", within_s=120)
        return proc

    gateway = start()
    try:
        created = httpx.post(
            f"http://127.0.0.1:{port}/api/v1/cases",
            json={"citizen_id": "rest:outbox", "form": "report_street_problem",
                  "answers": {"type": "pothole"}, "lang": "en"},
            headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30,
        )  # fmt: skip
        assert created.status_code == 201, created.text
        reference = created.json()["reference"]
        wait_until(lambda: department.received, "the first delivery attempt")
        gateway.send_signal(signal.SIGKILL)  # mid-delivery: the answer never comes back
        gateway.wait(30)
        db = Database(database)
        try:
            with db.session() as session:
                [entry] = session.scalars(select(OutboxEntry)).all()
                assert entry.state == "pending" and entry.attempts == 0
                webhook_id = entry.webhook_id
            department.release.set()
            gateway = start()

            def delivered() -> bool:
                with db.session() as session:
                    row = session.scalars(select(OutboxEntry)).one()
                    return row.state == "delivered"

            wait_until(delivered, "the delivery after the restart")
        finally:
            db.dispose()
        assert len(department.received) >= 2
        for headers, body in department.received:
            assert headers["webhook-id"] == webhook_id  # the receiver can drop the repeat
            assert verify(SECRET, headers, body)
            payload = json.loads(body)
            assert payload["type"] == "case.created"
            assert payload["data"]["case"]["reference"] == reference
    finally:
        gateway.terminate()
        gateway.wait(30)
        log.close()
