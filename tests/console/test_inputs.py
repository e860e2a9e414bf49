"""Control characters in console requests are refused with a clear 422, never stored."""

from __future__ import annotations

import pytest

from .conftest import PASSWORD, Console


@pytest.mark.parametrize("username", ["agent\x00x", "ag\x1bent"])
async def test_login_refuses_control_characters(console: Console, username: str) -> None:
    response = await console.client.post(
        "/api/v1/agent/login", json={"username": username, "password": PASSWORD}
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_body"


async def test_reply_and_note_refuse_nul(console: Console) -> None:
    headers = await console.login(console.add_agent("supervisor"))
    for path, body in (("messages", {"text": "hi\x00"}), ("close", {"note": "done\x00"})):
        response = await console.client.post(
            f"/api/v1/agent/tickets/1/{path}", json=body, headers=headers
        )
        assert response.status_code == 422, path
    ok = await console.client.post(
        "/api/v1/agent/tickets/999999/messages", json={"text": "tabs\tand\nlines"}, headers=headers
    )
    assert ok.status_code != 422  # ordinary whitespace is fine (the ticket does not exist)
