"""Roles: every console route asks for a permission; caseworkers and editors log in but get
403 on the agent desk and the supervisors' routes; the database refuses unknown roles."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import text

from bot.agents.roles import GRANTS, PERMISSIONS, ROLES, may
from bot.errors import StoreUnavailable

from .conftest import Console

# routes any logged-in account (or anyone: login, set-password) may use; every other
# /api/v1/agent|manage|reports route needs more
ANY_ROLE = {
    "/api/v1/agent/login", "/api/v1/agent/logout", "/api/v1/agent/me",
    "/api/v1/agent/console-lang", "/api/v1/agent/set-password",
}  # fmt: skip


def console_routes(console: Console) -> list[tuple[str, str]]:
    """(method, path) of every console route in the OpenAPI document, path parameters = 1."""
    found = []
    for path, operations in console.app.openapi()["paths"].items():
        prefixes = ("/api/v1/agent/", "/api/v1/manage/", "/api/v1/reports/")
        if path in ANY_ROLE or not path.startswith(prefixes):
            continue
        concrete = re.sub(r"\{[a-z_]+\}", "1", path).replace(
            "/manage/accounts/1", "/manage/accounts/x1"
        )
        found += [(method.upper(), concrete) for method in operations]
    return found


def test_every_role_has_its_grants() -> None:
    assert ROLES == ("agent", "supervisor", "caseworker", "editor")
    assert set(GRANTS) == set(ROLES)
    assert may("agent", "desk") and not may("agent", "supervise")
    assert all(may("supervisor", p) for p in PERMISSIONS)
    assert may("caseworker", "cases") and not may("caseworker", "desk")
    assert may("editor", "content") and not may("editor", "cases")
    assert not may("admin", "desk")


@pytest.mark.parametrize("role", ["caseworker", "editor"])
async def test_caseworkers_and_editors_stay_out_of_the_desk(console: Console, role: str) -> None:
    user = console.add_agent(role)
    headers = await console.login(user)
    me = await console.client.get("/api/v1/agent/me", headers=headers)
    assert me.status_code == 200 and me.json()["agent"]["role"] == role
    routes = console_routes(console)
    assert len(routes) >= 12, routes  # queue, tickets, events, canned, agents, reports ...
    for method, path in routes:
        response = await console.client.request(method, path, headers=headers, json={})
        assert response.status_code == 403, (method, path, response.text)
        assert response.json()["error"]["code"] == "forbidden"
    # an agent and a supervisor keep their routes; only the desk lists desk accounts
    boss = await console.login(console.add_agent("supervisor"))
    colleagues = (await console.client.get("/api/v1/agent/agents", headers=boss)).json()
    assert user not in {c["username"] for c in colleagues}
    assert (await console.client.get("/api/v1/agent/queue", headers=boss)).status_code == 200
    agent = await console.login(console.add_agent("agent"))
    assert (await console.client.get("/api/v1/agent/queue", headers=agent)).status_code == 200
    refused = await console.client.get("/api/v1/reports/audit", headers=agent)
    assert refused.status_code == 403 and refused.json()["error"]["message"] == "supervisors only"
    moved = await console.client.post(
        "/api/v1/agent/tickets/1/transfer", json={"to_agent": user}, headers=boss
    )
    assert moved.status_code in (404, 409)  # never handed to a caseworker or editor


def test_the_database_refuses_an_unknown_role(console: Console) -> None:
    db = console.gateway.db
    with pytest.raises(StoreUnavailable), db.session() as session:
        session.execute(
            text(
                "INSERT INTO agents (username, password_hash, role, active, created_at) "
                "VALUES (:u, 'x', 'admin', true, CURRENT_TIMESTAMP)"
            ),
            {"u": f"bad-{uuid.uuid4().hex[:8]}"},
        )
