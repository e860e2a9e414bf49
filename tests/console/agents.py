"""Agents on the real stack: accounts made with `civic agent add`, then the console API."""

from __future__ import annotations

import subprocess
import sys
import uuid
from typing import Any

import httpx

from civic.stack import Stack
from tests.conftest import ROOT

PASSWORD = "correct horse battery"


def add_agent(stack: Stack, role: str = "agent", team: str | None = None) -> str:
    username = f"{role}-{uuid.uuid4().hex[:8]}"
    command = [sys.executable, "-m", "civic.cli", "agent", "add", username, "--role", role]
    if team:
        command += ["--team", team]
    subprocess.run(
        command, input=PASSWORD + "\n", env=stack.env(), cwd=ROOT, check=True,
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    return username


class AgentClient:
    """An agent using the console's JSON API with a bearer token."""

    def __init__(self, stack: Stack, username: str) -> None:
        self.username = username
        self.client = httpx.Client(base_url=stack.gateway_url, timeout=30)
        self.login()

    def login(self) -> None:
        response = self.client.post(
            "/api/v1/agent/login",
            json={"username": self.username, "password": PASSWORD, "session": "token"},
        )
        assert response.status_code == 200, response.text
        self.client.headers["Authorization"] = f"Bearer {response.json()['token']}"

    def get(self, path: str) -> Any:
        response = self.client.get(path)
        assert response.status_code == 200, response.text
        return response.json()

    def post(self, path: str, body: dict[str, Any] | None = None, status: int = 200) -> Any:
        response = self.client.post(path, json=body)
        assert response.status_code == status, response.text
        return response.json()

    def waiting_for(self, conversation: str) -> dict[str, Any]:
        for ticket in self.get("/api/v1/agent/queue")["waiting"]:
            if ticket["conversation_id"] == f"rest:{conversation}":
                found: dict[str, Any] = ticket
                return found
        raise AssertionError(f"rest:{conversation} is not waiting")
