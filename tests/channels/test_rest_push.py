"""REST push callbacks: registered per API key, HMAC-signed, retried with backoff."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from channels.rest_push import verify
from civic.stack import Stack
from tests.conftest import free_port

from .conftest import API_KEY, Citizen, agent_says

pytestmark = pytest.mark.integration


class Receiver:
    """A client's callback endpoint that fails its first `failures` requests with a 500."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.requests: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers.items()), body))
                status = 500 if receiver.failures > 0 else 200
                receiver.failures -= 1
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait(self, count: int, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.requests) < count:
            assert time.monotonic() < deadline, f"only {len(self.requests)} callbacks"
            time.sleep(0.05)


def test_callback_push_is_signed_and_retried(stack: Stack) -> None:
    receiver = Receiver(failures=1)
    api = httpx.Client(
        base_url=stack.gateway_url, headers={"Authorization": f"Bearer {API_KEY}"}, timeout=30
    )
    registered = api.put("/api/v1/callbacks", json={"url": receiver.url})
    assert registered.status_code == 200, registered.text
    secret = registered.json()["secret"]
    assert api.get("/api/v1/callbacks").json()["url"] == receiver.url
    try:
        citizen = Citizen(stack)
        citizen.say("I want to talk to a person")
        assert citizen.last["state"]["mode"] == "waiting_for_agent"
        direct = max(int(m["id"]) for m in citizen.last["messages"])
        message_id = agent_says(stack, f"rest:{citizen.id}", "Hi, this is Ben from the office.")
        # the claim announces "a person joined" (its first attempt fails with a 500 and is
        # retried), then the agent's reply
        receiver.wait(3)
        (_, first_body), (_, retried_body), (headers, body) = receiver.requests[:3]
        assert first_body == retried_body, [json.loads(b)["message"] for _, b in receiver.requests]
        # pushes leave in message order: had a direct reply (in the HTTP answer) been pushed
        # too, it would have come first
        assert int(json.loads(first_body)["message"]["id"]) > direct
        assert json.loads(retried_body)["message"]["from"] == "system"
        assert headers["X-Civic-Delivery"] == str(message_id)
        assert verify(
            secret, headers["X-Civic-Timestamp"], headers["X-Civic-Signature"], body, time.time()
        )
        assert not verify(
            "whsec_wrong",
            headers["X-Civic-Timestamp"],
            headers["X-Civic-Signature"],
            body,
            time.time(),
        )
        payload = json.loads(body)
        assert payload["conversation_id"] == citizen.id
        assert payload["message"]["text"] == "Hi, this is Ben from the office."
        assert payload["message"]["from"] == "agent"
        assert payload["state"]["mode"] == "with_agent"
        # delivered, so not sent again: the next push is the next message, not a repeat
        later = agent_says(stack, f"rest:{citizen.id}", "Anything else?")
        receiver.wait(4)
        pushed = [json.loads(b)["message"]["id"] for _, b in receiver.requests]
        assert pushed == [pushed[0], pushed[0], str(message_id), str(later)]
        # polling still works alongside push
        assert "Ben" in "\n".join(m["text"] for m in citizen.history()["messages"])
    finally:
        assert api.delete("/api/v1/callbacks").status_code == 204
        receiver.server.shutdown()
    assert api.get("/api/v1/callbacks").status_code == 404


def test_callback_routes_need_a_key_and_a_valid_url(stack: Stack) -> None:
    anonymous = httpx.put(
        stack.gateway_url + "/api/v1/callbacks", json={"url": "http://x.example"}, timeout=10
    )
    assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "unauthorized"
    bad = httpx.put(
        stack.gateway_url + "/api/v1/callbacks",
        json={"url": "ftp://x.example"},
        headers={"Authorization": f"Bearer {API_KEY}"},
        timeout=10,
    )
    assert bad.status_code == 422
    schema = httpx.get(stack.gateway_url + "/openapi.json", timeout=10).json()
    assert "/api/v1/callbacks" in schema["paths"]
    assert "X-Civic-Signature" in schema["paths"]["/api/v1/callbacks"]["put"]["description"]
