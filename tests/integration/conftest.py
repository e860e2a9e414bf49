"""The real stack for integration tests: trained Rasa model, Rasa, action server, gateway,
Redis (REDIS_URL or embedded) and SQL (DATABASE_URL or SQLite), as real processes."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from civic.stack import Stack, StackConfig
from tests.conftest import ROOT, free_port

API_KEY = "integration-test-key-0123456789"


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    var_dir: Path = tmp_path_factory.mktemp("var")
    config = StackConfig(
        root=ROOT,
        var_dir=var_dir,
        gateway_port=free_port(),
        rasa_port=free_port(),
        actions_port=free_port(),
        embedded_redis_port=free_port(),
        redis_url=os.environ.get("REDIS_URL") or None,
        database_url=os.environ.get("DATABASE_URL") or None,
        api_keys=API_KEY,
        service_token="integration-service-token-0123456789",
        extra_env={"CIVIC_INDEX_DIR": str(ROOT / "var" / "index" / "guides")},
    )
    stack = Stack(config)
    try:
        stack.up(quiet=False)
        yield stack
    finally:
        stack.down()


class Citizen:
    """A citizen talking to the gateway through the REST channel API."""

    def __init__(self, stack: Stack, lang: str | None = None) -> None:
        self.id = f"it-{uuid.uuid4().hex[:12]}"
        self.lang = lang
        self.client = httpx.Client(
            base_url=stack.gateway_url, timeout=60, headers={"Authorization": f"Bearer {API_KEY}"}
        )
        self.last: dict[str, Any] = {}

    @property
    def url(self) -> str:
        return f"/api/v1/conversations/{self.id}/messages"

    def say(self, text: str, payload: str | None = None) -> dict[str, Any]:
        response = self.client.post(
            self.url, json={"text": text, "payload": payload, "lang": self.lang}
        )
        assert response.status_code == 200, response.text
        self.last = response.json()
        return self.last

    def click(self, title_part: str) -> dict[str, Any]:
        for message in self.last["messages"]:
            for button in message["buttons"]:
                if title_part.lower() in button["title"].lower():
                    return self.say(button["title"], payload=button["payload"])
        raise AssertionError(f"no button like {title_part!r} in {self.last}")

    def texts(self) -> str:
        return "\n".join(m["text"] for m in self.last["messages"])

    def history(self, after: int = 0) -> dict[str, Any]:
        response = self.client.get(self.url, params={"after": after})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body
