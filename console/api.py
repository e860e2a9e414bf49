"""The console's JSON API for agents: the queue and what they do to a ticket.

Every route needs the `desk` permission (agents and supervisors; see bot/agents/roles.py): an
agent sees the queue of their own team (every team when they have none) and acts only on
tickets they hold; a supervisor sees and may act on everything (overrides are audited as such).
Caseworkers and editors get 403.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Path
from pydantic import BaseModel, Field, model_validator

from bot.agents.accounts import AgentAccounts, AgentSession
from bot.agents.desk import AgentDesk, TicketConflict
from bot.agents.roles import may
from bot.gateway import Gateway
from bot.handoff import ticket_records
from bot.handoff.queue import WaitingTicket
from bot.simple_mode.readability import reply_problem, reply_warning
from console.auth import DeskAgent, accounts, gateway
from console.inputs import PlainText
from console.labels import Wording, card_text, card_wording

TicketId = Annotated[int, Path(ge=1, le=2**62)]


class QueueItem(BaseModel):
    id: int
    conversation_id: str
    team: str
    kind: Literal["live", "message", "callback"]
    priority: int
    simple_mode: bool
    lang: str
    topic: str | None
    waited_s: int = Field(description="seconds since the handoff request")
    position: int = Field(description="place in its team's queue")
    sla_target_s: int
    sla_breached: bool = Field(description="waited longer than the pick-up target")
    sla_at_risk: bool = Field(description="waited over 80 % of the pick-up target")
    last_message: str | None = Field(
        default=None, description="the citizen's last message, masked, at most 160 characters"
    )
    last_wording: Wording | None = Field(default=None, description="a button press, as words")


class HeldItem(BaseModel):
    id: int
    conversation_id: str
    team: str | None
    kind: str
    priority: int
    simple_mode: bool
    lang: str
    topic: str | None
    agent: str | None
    waited_s: int
    awaiting_reply_s: int | None = Field(description="the citizen's unanswered message's age")
    accepted: bool = Field(description="false: assigned automatically, not yet accepted")
    accept_within_s: int | None = Field(
        default=None, description="seconds left to accept before it goes back to the queue"
    )
    last_message: str | None = Field(
        default=None, description="the citizen's last message, masked, at most 160 characters"
    )
    last_wording: Wording | None = Field(default=None, description="a button press, as words")


class QueueOut(BaseModel):
    server_time: datetime
    waiting: list[QueueItem]
    held: list[HeldItem]


class ClaimOut(BaseModel):
    ticket_id: int
    holder: str


class TextIn(BaseModel):
    # longer than a citizen's limit: an agent may paste a whole guide (channels split it)
    text: PlainText = Field(min_length=1, max_length=10000)


class MessageOut(BaseModel):
    id: int
    sender: Literal["agent"]
    text: str
    created_at: datetime
    warning: str | None = Field(
        default=None,
        description="the citizen is in simplified mode and this reply is too long or hard",
    )
    warning_wording: Wording | None = Field(default=None, description="console/i18n warning.*")


class CheckOut(BaseModel):
    warning: str | None
    warning_wording: Wording | None = Field(default=None, description="console/i18n warning.*")


class TransferIn(BaseModel):
    to_agent: PlainText | None = Field(default=None, max_length=100)
    to_team: PlainText | None = Field(default=None, max_length=60)

    @model_validator(mode="after")
    def _one_target(self) -> TransferIn:
        if bool(self.to_agent) == bool(self.to_team):
            raise ValueError("give exactly one of to_agent or to_team")
        return self


class CloseIn(BaseModel):
    note: PlainText | None = Field(default=None, max_length=4000)


class DoneOut(BaseModel):
    ticket_id: int
    status: str


def desk(gw: Annotated[Gateway, Depends(gateway)]) -> AgentDesk:
    if gw.desk is None:
        raise HTTPException(503, "the agent console is not configured")
    return gw.desk


Desk = Annotated[AgentDesk, Depends(desk)]
Gw = Annotated[Gateway, Depends(gateway)]
Accounts = Annotated[AgentAccounts, Depends(accounts)]


def may_see_team(agent: AgentSession, team: str | None) -> bool:
    return agent.supervisor or agent.team is None or agent.team == team


def queue_item(gw: Gateway, ticket: WaitingTicket, now: datetime) -> QueueItem:
    waited = max(0, int((now - ticket.requested_at).total_seconds()))
    target = gw.handoff_settings.sla_target_s(ticket.priority)
    return QueueItem(
        id=ticket.ticket_id, conversation_id=ticket.citizen_id, team=ticket.team,
        kind=ticket.kind,  # type: ignore[arg-type]
        priority=ticket.priority, simple_mode=ticket.priority > 0, lang=ticket.lang,
        topic=ticket.topic, waited_s=waited, position=ticket.position, sla_target_s=target,
        sla_breached=ticket.kind == "live" and waited > target,
        sla_at_risk=ticket.kind == "live" and waited > 0.8 * target,
    )  # fmt: skip


router = APIRouter(prefix="/api/v1/agent", tags=["agent console"])


@router.get("/queue", response_model=QueueOut, summary="Waiting tickets and held tickets")
async def get_queue(agent: DeskAgent, gw: Gw, d: Desk) -> QueueOut:
    now = gw.clock.now()
    waiting = [
        queue_item(gw, t, now) for t in await d.queue.waiting() if may_see_team(agent, t.team)
    ]
    mine = None if agent.supervisor else agent.username
    records = await asyncio.to_thread(ticket_records.held, gw.db, mine)
    citizens = [t.conversation_id for t in waiting] + [t.citizen_id for t in records]
    said = await asyncio.to_thread(ticket_records.last_citizen_messages, gw.db, citizens)
    for item in waiting:
        item.last_message = card_text(said.get(item.conversation_id))
        item.last_wording = card_wording(said.get(item.conversation_id))
    held = []
    for t in records:
        state = await d.queue.live_state(t.id)
        citizen_at = float(state.get("citizen_at") or 0)
        agent_at = float(state.get("agent_at") or 0)
        owed = int(now.timestamp() - citizen_at) if citizen_at > agent_at else None
        deadline = await d.queue.offered(t.id)
        held.append(
            HeldItem(
                id=t.id,
                conversation_id=t.citizen_id,
                team=t.team,
                kind=t.kind,
                priority=t.priority,
                simple_mode=t.simple_mode,
                lang=t.lang,
                topic=t.topic,
                agent=t.agent,
                waited_s=int((now - t.created_at).total_seconds()),
                awaiting_reply_s=owed,
                accepted=deadline is None,
                accept_within_s=None
                if deadline is None
                else max(0, int(deadline - now.timestamp())),
                last_message=card_text(said.get(t.citizen_id)),
                last_wording=card_wording(said.get(t.citizen_id)),
            )
        )
    return QueueOut(server_time=now, waiting=waiting, held=held)


async def _acting_as(agent: AgentSession, d: AgentDesk, ticket_id: int) -> str:
    """Whose hands the ticket is in for this request: the agent's own, or (for a supervisor
    acting on someone else's ticket) the holder's. 409 otherwise."""
    holder = await d.queue.holder(ticket_id)
    if holder == agent.username:
        return holder
    if holder is not None and agent.supervisor:
        return holder
    raise HTTPException(409, f"ticket {ticket_id} is not held by you")


@router.post(
    "/tickets/{ticket_id}/claim",
    response_model=ClaimOut,
    summary="Claim a waiting ticket (atomic across gateways)",
    responses={404: {"description": "no such waiting ticket"}, 409: {"description": "held"}},
)
async def claim(ticket_id: TicketId, agent: DeskAgent, d: Desk, acc: Accounts) -> ClaimOut:
    state = await d.queue.live_state(ticket_id)
    if not state or not may_see_team(agent, state.get("team")):
        raise HTTPException(404, f"ticket {ticket_id} is not open or not for your team")
    try:
        await d.claim(ticket_id, agent.username)
    except TicketConflict as exc:
        raise HTTPException(409, f"ticket {ticket_id} is held by {exc.holder}") from None
    await acc.audit(agent.username, "claim", f"ticket:{ticket_id}", None)
    return ClaimOut(ticket_id=ticket_id, holder=agent.username)


@router.post(
    "/tickets/{ticket_id}/accept",
    response_model=ClaimOut,
    summary="Accept a ticket assigned to you (opening it or writing does the same)",
    responses={409: {"description": "not assigned to you (any more)"}},
)
async def accept(ticket_id: TicketId, agent: DeskAgent, d: Desk, acc: Accounts) -> ClaimOut:
    try:
        if await d.accept(ticket_id, agent.username):
            await acc.audit(agent.username, "accept", f"ticket:{ticket_id}", None)
    except TicketConflict:
        raise HTTPException(409, f"ticket {ticket_id} is not assigned to you") from None
    return ClaimOut(ticket_id=ticket_id, holder=agent.username)


@router.post(
    "/tickets/{ticket_id}/messages",
    status_code=201,
    response_model=MessageOut,
    summary="Send a message to the citizen",
    responses={409: {"description": "not held by you"}},
)
async def send_message(ticket_id: TicketId, body: TextIn, agent: DeskAgent, d: Desk) -> MessageOut:
    holder = await _acting_as(agent, d, ticket_id)
    try:
        stored = await d.reply(ticket_id, holder, body.text.strip() or body.text)
    except TicketConflict:
        raise HTTPException(409, f"ticket {ticket_id} is not held by you") from None
    warning = await _simple_mode_warning(d, ticket_id, stored.text)
    return MessageOut(
        id=stored.id, sender="agent", text=stored.text, created_at=stored.created_at,
        warning=warning.warning, warning_wording=warning.warning_wording,
    )  # fmt: skip


async def _simple_mode_warning(d: AgentDesk, ticket_id: int, text: str) -> CheckOut:
    record = await asyncio.to_thread(ticket_records.ticket, d.queue.db, ticket_id)
    if record is None or not record.simple_mode:
        return CheckOut(warning=None)
    problem = reply_problem(text, record.lang)
    said = Wording(key="warning." + problem[0], values=dict(problem[1])) if problem else None
    return CheckOut(warning=reply_warning(text, record.lang), warning_wording=said)


@router.post(
    "/tickets/{ticket_id}/check",
    response_model=CheckOut,
    summary="Check a draft reply against the simplified-mode rules (nothing is sent)",
)
async def check_reply(ticket_id: TicketId, body: TextIn, agent: DeskAgent, d: Desk) -> CheckOut:
    await _acting_as(agent, d, ticket_id)
    return await _simple_mode_warning(d, ticket_id, body.text)


@router.post(
    "/tickets/{ticket_id}/transfer",
    response_model=DoneOut,
    summary="Transfer a held ticket to another agent or to a team's queue",
)
async def transfer(
    ticket_id: TicketId, body: TransferIn, agent: DeskAgent, d: Desk, acc: Accounts
) -> DoneOut:
    holder = await _acting_as(agent, d, ticket_id)
    if body.to_agent:
        known = {
            a.username for a in await asyncio.to_thread(acc.all) if a.active and may(a.role, "desk")
        }
        if body.to_agent not in known:
            raise HTTPException(404, f"no agent called {body.to_agent!r}")
    try:
        await d.transfer(ticket_id, holder, to_agent=body.to_agent, to_team=body.to_team)
    except TicketConflict:
        raise HTTPException(409, f"ticket {ticket_id} is not held by you") from None
    detail = {"to_agent": body.to_agent, "to_team": body.to_team, "holder": holder}
    await acc.audit(agent.username, "transfer", f"ticket:{ticket_id}", detail)
    return DoneOut(ticket_id=ticket_id, status="claimed" if body.to_agent else "waiting")


@router.post(
    "/tickets/{ticket_id}/release",
    response_model=DoneOut,
    summary="Put a held ticket back in the queue at its old place",
)
async def release(ticket_id: TicketId, agent: DeskAgent, d: Desk, acc: Accounts) -> DoneOut:
    holder = await _acting_as(agent, d, ticket_id)
    try:
        await d.release(ticket_id, holder)
    except TicketConflict:
        raise HTTPException(409, f"ticket {ticket_id} is not held by you") from None
    await acc.audit(agent.username, "release", f"ticket:{ticket_id}", {"holder": holder})
    return DoneOut(ticket_id=ticket_id, status="waiting")


@router.post(
    "/tickets/{ticket_id}/close",
    response_model=DoneOut,
    summary="Close a held ticket with a resolution note; the bot resumes and asks for a rating",
)
async def close(
    ticket_id: TicketId, body: CloseIn, agent: DeskAgent, d: Desk, acc: Accounts
) -> DoneOut:
    holder = await _acting_as(agent, d, ticket_id)
    try:
        await d.close(ticket_id, holder, body.note)
    except TicketConflict:
        raise HTTPException(409, f"ticket {ticket_id} is not held by you") from None
    await acc.audit(agent.username, "close", f"ticket:{ticket_id}", {"holder": holder})
    return DoneOut(ticket_id=ticket_id, status="closed")
