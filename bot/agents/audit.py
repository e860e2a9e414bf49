"""The audit log of the agent accounts: who did what to which account, and when."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select

from bot.agents.models import AuditEntry
from bot.clock import Clock
from bot.storage.db import Database


class AuditLog:
    db: Database
    clock: Clock

    def entry(
        self, actor: str, action: str, target: str | None, detail: dict[str, Any] | None
    ) -> AuditEntry:
        """An entry to add in the transaction of the change it records."""
        return AuditEntry(
            at=self.clock.now(), actor=actor, action=action, target=target, detail=detail
        )

    async def audit(
        self, actor: str, action: str, target: str | None, detail: dict[str, Any] | None
    ) -> None:
        """An entry of its own (a login, a logout, a set-password link)."""

        def write() -> None:
            with self.db.session() as session:
                session.add(self.entry(actor, action, target, detail))

        await asyncio.to_thread(write)

    def audit_entries(self, limit: int = 100) -> list[dict[str, Any]]:
        with self.db.session() as session:
            rows = session.scalars(
                select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
            ).all()
            return [
                {"at": r.at.isoformat(), "actor": r.actor, "action": r.action,
                 "target": r.target, "detail": r.detail}
                for r in rows
            ]  # fmt: skip
