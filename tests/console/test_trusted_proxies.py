"""Behind a reverse proxy: the client address and scheme come from X-Forwarded-For and
X-Forwarded-Proto only when the peer is a trusted proxy (FORWARDED_ALLOW_IPS; uvicorn's proxy
headers, 127.0.0.1 by default, the ingress controller's addresses in the manifests). Login
throttling counts the real client, and the session cookie is Secure over https."""

from __future__ import annotations

import secrets
import uuid

import httpx
import pytest

from civic.stack import Stack
from tests.console.agents import PASSWORD, add_agent

pytestmark = pytest.mark.integration

LOGIN = "/api/v1/agent/login"


def _client(stack: Stack, peer: str) -> httpx.Client:
    """A client whose connections come from `peer` (any 127.x address reaches the gateway)."""
    transport = httpx.HTTPTransport(local_address=peer)
    return httpx.Client(base_url=stack.gateway_url, transport=transport, timeout=30)


def _bad_logins(client: httpx.Client, forwarded_for: list[str]) -> None:
    for address in forwarded_for:
        response = client.post(
            LOGIN,
            json={"username": f"nobody-{uuid.uuid4().hex[:8]}", "password": "wrong password"},
            headers={"X-Forwarded-For": address},
        )
        assert response.status_code == 401, response.text


def _address() -> str:
    return f"198.51.100.{secrets.randbelow(200) + 20}"


def test_throttling_counts_the_real_client_behind_a_trusted_proxy(stack: Stack) -> None:
    username = add_agent(stack)
    attacker, colleague = _address(), "203.0.113.9"
    with _client(stack, "127.0.0.1") as proxy:  # the trusted proxy
        _bad_logins(proxy, [attacker] * 5)
        good = {"username": username, "password": PASSWORD, "session": "token"}
        refused = proxy.post(LOGIN, json=good, headers={"X-Forwarded-For": attacker})
        assert refused.status_code == 429, refused.text
        assert int(refused.headers["Retry-After"]) > 0
        # the proxy's own address is not locked: another citizen's agent logs in through it
        allowed = proxy.post(LOGIN, json=good, headers={"X-Forwarded-For": colleague})
        assert allowed.status_code == 200, allowed.text


def test_forwarded_for_from_an_untrusted_peer_is_ignored(stack: Stack) -> None:
    """A client that is not a trusted proxy cannot escape throttling by inventing addresses."""
    username = add_agent(stack)
    peer = f"127.0.{secrets.randbelow(200) + 20}.{secrets.randbelow(200) + 20}"
    with _client(stack, peer) as direct:
        _bad_logins(direct, [_address() for _ in range(5)])
        good = {"username": username, "password": PASSWORD, "session": "token"}
        refused = direct.post(LOGIN, json=good, headers={"X-Forwarded-For": _address()})
        assert refused.status_code == 429, refused.text  # counted by its own address
    with _client(stack, "127.0.0.1") as proxy:
        assert proxy.post(LOGIN, json=good).status_code == 200


def _cookie_login(client: httpx.Client, username: str, headers: dict[str, str]) -> str:
    response = client.post(
        LOGIN, json={"username": username, "password": PASSWORD}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.headers["set-cookie"]


def test_session_cookie_secure_over_https_only(stack: Stack) -> None:
    username = add_agent(stack)
    https = {"X-Forwarded-Proto": "https", "X-Forwarded-For": _address()}
    with _client(stack, "127.0.0.1") as proxy:
        assert "secure" in _cookie_login(proxy, username, https).lower()
        assert "secure" not in _cookie_login(proxy, username, {}).lower()
    with _client(
        stack, "127.0.0.3"
    ) as direct:  # not a proxy: its X-Forwarded-Proto is not believed
        assert "secure" not in _cookie_login(direct, username, https).lower()
