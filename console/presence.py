"""Availability in the console: an agent's own status (online, away; logging out sets
offline), the page's heartbeat, everybody's presence for supervisors, and the console's
language of each account."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from bot.agents.accounts import AccountError
from bot.agents.availability import Status
from console.api import Accounts, Desk
from console.auth import CurrentAgent, DeskAgent, session_token


class StatusIn(BaseModel):
    status: Literal["online", "away", "offline"]


class HeartbeatIn(BaseModel):
    active: bool = Field(
        default=False, description="the agent used the page since the last heartbeat"
    )


class StatusOut(BaseModel):
    status: Status


class PresenceItem(BaseModel):
    username: str
    status: Status
    seen_s_ago: int | None
    idle_s: int | None


class PresenceOut(BaseModel):
    status: Status
    agents: list[PresenceItem] = Field(description="everybody's (supervisors only)")


class LangIn(BaseModel):
    lang: Literal["en", "zh"]


router = APIRouter(prefix="/api/v1/agent", tags=["agent console"])


@router.post("/status", response_model=StatusOut, summary="Set your availability")
async def set_status(body: StatusIn, agent: DeskAgent, d: Desk) -> StatusOut:
    await d.set_status(agent.username, body.status)  # online: waiting tickets may come now
    return StatusOut(status=body.status)


@router.post(
    "/heartbeat",
    response_model=StatusOut,
    summary="The console page's sign of life (the event stream does the same)",
)
async def heartbeat(body: HeartbeatIn, agent: DeskAgent, d: Desk) -> StatusOut:
    await d.availability.seen(agent.username, active=body.active)
    return StatusOut(status=await d.availability.status(agent.username))


@router.get("/presence", response_model=PresenceOut, summary="Your availability (and everyone's)")
async def presence(agent: DeskAgent, d: Desk) -> PresenceOut:
    everyone = await d.availability.everyone() if agent.supervisor else []
    return PresenceOut(
        status=await d.availability.status(agent.username),
        agents=[PresenceItem(**p.__dict__) for p in everyone],
    )


@router.post(
    "/console-lang",
    status_code=204,
    summary="The console's language for this account (remembered)",
)
async def console_lang(body: LangIn, agent: CurrentAgent, acc: Accounts, request: Request) -> None:
    token, _ = session_token(request)
    try:
        await acc.remember_console_lang(token, agent, body.lang)
    except AccountError as exc:
        raise HTTPException(422, str(exc)) from None
