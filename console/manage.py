"""Management for supervisors: accounts (add with a set-password link shown once and valid
24 h, disable and enable, reset a password, change role, team, language skills, capacity) and
canned replies (per team and language, with placeholders). Everything is audited.

A change of role or team, a disabled account and a reset password end the account's sessions
(the next request logs in again with what changed); a disabled agent's held tickets go back to
the queue at their old places.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Response
from pydantic import BaseModel, Field

from bot.agents.accounts import LINK_TTL_S, AccountError, AgentInfo
from bot.agents.availability import Status
from bot.agents.canned import Canned, CannedReplies
from bot.agents.roles import Role, may
from bot.handoff import ticket_records
from console.api import Accounts, Desk, Gw
from console.auth import Supervisor
from console.inputs import PlainText

Username = Annotated[str, Path(min_length=2, max_length=100, pattern=r"^[A-Za-z0-9_.@-]+$")]
Team = Annotated[PlainText | None, Field(default=None, max_length=60)]
Languages = Annotated[list[Annotated[str, Field(pattern=r"^[a-z]{2,3}$")]], Field(max_length=10)]


class AccountOut(BaseModel):
    username: str
    role: Role
    team: str | None
    active: bool
    capacity: int | None = Field(description="concurrent chats; null: the default")
    languages: list[str] = Field(description="languages the agent answers in; empty: any")
    console_lang: str | None
    status: Status


class AddIn(BaseModel):
    username: PlainText = Field(min_length=2, max_length=100)
    role: Role
    team: Team = None
    capacity: int | None = Field(default=None, ge=0, le=50)
    languages: Languages = Field(default_factory=list)


class ChangeIn(BaseModel):
    role: Role | None = None
    team: Team = None
    capacity: int | None = Field(default=None, ge=0, le=50)
    languages: Languages | None = None
    active: bool | None = None


class LinkOut(BaseModel):
    set_password_url: str = Field(description="shown once; give it to the person")
    expires_at: datetime


class AddedOut(LinkOut):
    account: AccountOut


class CannedIn(BaseModel):
    team: Team = None
    lang: str = Field(pattern=r"^(en|zh)$")
    title: PlainText = Field(min_length=1, max_length=100)
    text: PlainText = Field(min_length=1, max_length=4000)


class CannedItem(BaseModel):
    id: int
    team: str | None
    lang: str
    title: str
    text: str
    updated_at: datetime
    updated_by: str


router = APIRouter(prefix="/api/v1/manage", tags=["console management (supervisors)"])


def _out(info: AgentInfo, status: Status) -> AccountOut:
    return AccountOut(
        username=info.username, role=info.role, team=info.team, active=info.active,
        capacity=info.capacity, languages=list(info.languages), console_lang=info.console_lang,
        status=status,
    )  # fmt: skip


async def _link(acc: Accounts, gw: Gw, username: str, actor: str) -> LinkOut:
    token = await acc.password_link(username, actor)
    return LinkOut(
        set_password_url=f"/console/set-password#token={token}",
        expires_at=gw.clock.now() + timedelta(seconds=LINK_TTL_S),
    )


def _refused(exc: AccountError) -> HTTPException:
    missing = str(exc).startswith("no ")
    return HTTPException(404 if missing else 422, str(exc))


@router.get("/accounts", response_model=list[AccountOut], summary="Every account")
async def accounts(agent: Supervisor, acc: Accounts, d: Desk) -> list[AccountOut]:
    status = {p.username: p.status for p in await d.availability.everyone()}
    return [_out(a, status.get(a.username, "offline")) for a in await asyncio.to_thread(acc.all)]


@router.post(
    "/accounts",
    status_code=201,
    response_model=AddedOut,
    summary="Add an account; its person sets the password with the link (24 h, shown once)",
)
async def add_account(body: AddIn, agent: Supervisor, acc: Accounts, gw: Gw) -> AddedOut:
    try:
        info = await asyncio.to_thread(
            acc.add, body.username, None, body.role, body.team, actor=agent.username,
            capacity=body.capacity, languages=tuple(body.languages),
        )  # fmt: skip
    except AccountError as exc:
        raise HTTPException(409 if "exists" in str(exc) else 422, str(exc)) from None
    link = await _link(acc, gw, info.username, agent.username)
    return AddedOut(account=_out(info, "offline"), **link.model_dump())


@router.post(
    "/accounts/{username}",
    response_model=AccountOut,
    summary="Change role, team, languages, capacity, or disable / enable",
)
async def change_account(
    username: Username, body: ChangeIn, agent: Supervisor, acc: Accounts, d: Desk, gw: Gw
) -> AccountOut:
    changes: dict[str, Any] = {k: getattr(body, k) for k in body.model_fields_set}
    if "languages" in changes:
        changes["languages"] = tuple(changes["languages"] or ())
    if any(v is None for k, v in changes.items() if k in ("role", "active")):
        raise HTTPException(422, "role and active cannot be null")
    if username == agent.username and ("role" in changes or changes.get("active") is False):
        raise HTTPException(409, "you cannot change your own role or disable yourself")
    try:
        before = await asyncio.to_thread(acc.get, username)
        info = await asyncio.to_thread(acc.update, username, agent.username, **changes)
    except AccountError as exc:
        raise _refused(exc) from None
    assert before is not None
    if (info.role, info.team, info.active) != (before.role, before.team, before.active):
        await acc.end_sessions(username)  # the next login carries the new role and team
    if not info.active or not may(info.role, "desk"):
        await d.availability.forget(username)
        for ticket in await asyncio.to_thread(ticket_records.held, gw.db, username):
            await d.release(ticket.id, username)  # back to the queue at their old places
    else:
        await d.availability.publish_profile(username, info.team, info.languages, info.capacity)
        await d.changed()  # a new capacity or team may take waiting tickets now
    return _out(info, await d.availability.status(username))


@router.post(
    "/accounts/{username}/reset-password",
    response_model=LinkOut,
    summary="The password stops working now; a new one is set with the link (24 h)",
)
async def reset_password(username: Username, agent: Supervisor, acc: Accounts, gw: Gw) -> LinkOut:
    try:
        await asyncio.to_thread(acc.reset_password, username, agent.username)
    except AccountError as exc:
        raise _refused(exc) from None
    await acc.end_sessions(username)
    return await _link(acc, gw, username, agent.username)


def _item(c: Canned) -> CannedItem:
    return CannedItem(**c.__dict__)


@router.get("/canned", response_model=list[CannedItem], summary="Every canned reply")
async def canned(agent: Supervisor, gw: Gw) -> list[CannedItem]:
    rows = await asyncio.to_thread(CannedReplies(gw.db, gw.clock).for_team, None, True)
    return [_item(c) for c in rows]


async def _save(gw: Gw, actor: str, reply_id: int | None, body: CannedIn) -> CannedItem:
    store = CannedReplies(gw.db, gw.clock)
    try:
        saved = await asyncio.to_thread(
            store.save, actor, reply_id=reply_id, team=body.team, lang=body.lang,
            title=body.title, text=body.text,
        )  # fmt: skip
    except AccountError as exc:
        raise _refused(exc) from None
    return _item(saved)


@router.post("/canned", status_code=201, response_model=CannedItem, summary="Add a reply")
async def add_canned(body: CannedIn, agent: Supervisor, gw: Gw) -> CannedItem:
    return await _save(gw, agent.username, None, body)


@router.post("/canned/{reply_id}", response_model=CannedItem, summary="Change a reply")
async def change_canned(
    reply_id: Annotated[int, Path(ge=1, le=2**62)], body: CannedIn, agent: Supervisor, gw: Gw
) -> CannedItem:
    return await _save(gw, agent.username, reply_id, body)


@router.post("/canned/{reply_id}/delete", status_code=204, summary="Delete a reply")
async def delete_canned(
    reply_id: Annotated[int, Path(ge=1, le=2**62)], agent: Supervisor, gw: Gw
) -> Response:
    try:
        await asyncio.to_thread(CannedReplies(gw.db, gw.clock).delete, agent.username, reply_id)
    except AccountError as exc:
        raise _refused(exc) from None
    return Response(status_code=204)
