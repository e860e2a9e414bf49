"""The cases API over HTTP (service token, ownership, JSON errors): the gateway's real app on
real Redis and a fresh SQLite database; only the clock is fixed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.settings import Settings
from civic.app import create_app
from tests.conftest import free_port, migrate

TOKEN = "service-token-for-tests-0123456789"


class FixedClock:
    def now(self) -> datetime:
        return datetime(2026, 11, 29, 8, 0, tzinfo=UTC)


@pytest.fixture
def client(tmp_path: Path, redis_url: str) -> Iterator[TestClient]:
    settings = Settings.from_env(
        {
            "REDIS_URL": redis_url,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'civic.db'}",
            "CIVIC_API_KEYS": "cases-test-api-key-0123456789",
            "CIVIC_SERVICE_TOKEN": TOKEN,
            "CIVIC_VAR_DIR": str(tmp_path),
            "RASA_URL": f"http://127.0.0.1:{free_port()}",  # Rasa is not running
        }
    )
    migrate(settings.database_url)
    app = create_app(settings, FixedClock())
    with TestClient(app, headers={"Authorization": f"Bearer {TOKEN}"}) as test_client:
        yield test_client


BODY = {
    "citizen_id": "c-1",
    "form": "book_appointment",
    "answers": {"service": "passport", "phone": "13812345678"},
    "channel": "telegram",
    "lang": "zh",
    "submission_key": "draft-1",
}


def test_submit_then_look_up_as_the_owner_only(client: TestClient) -> None:
    created = client.post("/api/v1/cases", json=BODY)
    assert created.status_code == 201
    reference = created.json()["reference"]
    assert reference == "RC-2026-000001"
    found = client.get(f"/api/v1/cases/{reference}", params={"citizen_id": "c-1"})
    assert found.status_code == 200 and found.json()["status"] == "received"
    assert found.json()["answers"] == BODY["answers"]
    other = client.get(f"/api/v1/cases/{reference}", params={"citizen_id": "c-2"})
    assert other.status_code == 404 and other.json()["error"]["code"] == "not_found"
    listed = client.get("/api/v1/cases", params={"citizen_id": "c-1"}).json()["cases"]
    assert [c["reference"] for c in listed] == [reference]
    assert client.post("/api/v1/cases", json=BODY).json()["reference"] == reference  # retry


def test_the_service_token_is_required(client: TestClient) -> None:
    for headers in ({"Authorization": "Bearer wrong-token-0123456789"}, {"Authorization": ""}):
        response = client.post("/api/v1/cases", json=BODY, headers=headers)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized"


def test_malformed_bodies_and_references_are_refused(client: TestClient) -> None:
    response = client.post("/api/v1/cases", json={**BODY, "form": "Robert'); DROP TABLE"})
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_body"
    bad = client.get("/api/v1/cases/RC-26-1", params={"citizen_id": "c-1"})
    assert bad.status_code == 422
