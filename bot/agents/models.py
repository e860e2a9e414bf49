"""SQL tables of the agent console: agent accounts and the audit log (migrations 0002_agents,
0004_roles, 0005_desk) and canned replies."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, UTCDateTime


class Agent(Base):
    """A person who answers citizens in the console."""

    __tablename__ = "agents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))  # one of bot.agents.roles.ROLES (0004_roles)
    team: Mapped[str | None] = mapped_column(String(60), nullable=True)
    display_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # 0005_desk: concurrent chats (None: CIVIC_AGENT_CAPACITY), languages spoken ("en,zh";
    # None: any), the console's language once chosen
    capacity: Mapped[int | None] = mapped_column(Integer, nullable=True)
    languages: Mapped[str | None] = mapped_column(String(60), nullable=True)
    console_lang: Mapped[str | None] = mapped_column(
        String(5), nullable=True
    )  # None: the browser's


class AuditEntry(Base):
    """Who did what in the console (logins, claims, transfers, closes), append-only."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(100), index=True)
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str | None] = mapped_column(String(200), nullable=True)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class CannedReply(Base):
    """A reply agents insert with one click; `{name}` and the like are filled in the console."""

    __tablename__ = "canned_replies"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team: Mapped[str | None] = mapped_column(String(60), nullable=True)  # None: every team
    lang: Mapped[str] = mapped_column(String(5))
    title: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[str] = mapped_column(String(100))
