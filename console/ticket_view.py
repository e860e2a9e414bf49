"""What an agent sees of one ticket: the transcript, the form data so far, knowledge-base
suggestions for the citizen's last question, canned replies; plus the list of colleagues."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from bot.handoff import ticket_records
from bot.masking import mask_value
from bot.rasa.tracker import form_data
from console.api import Accounts, Desk, Gw, TicketId, may_see_team
from console.auth import CurrentAgent
from console.suggestions import Suggestions

CANNED = Path(__file__).resolve().parent / "canned_replies.yml"


class LineOut(BaseModel):
    id: int
    sender: str
    text: str  # as typed: the console shows it with textContent, never as HTML
    created_at: datetime
    ticket_id: int | None


class SuggestionOut(BaseModel):
    guide_id: str
    title: str
    section: str
    snippet: str
    score: float


class FormOut(BaseModel):
    active_form: str | None
    slots: dict[str, Any]


class TicketOut(BaseModel):
    id: int
    conversation_id: str
    status: str
    kind: str
    reason: str
    topic: str | None
    lang: str
    simple_mode: bool
    priority: int
    team: str | None
    holder: str | None
    created_at: datetime
    closed_at: datetime | None
    note: str | None
    rating: int | None
    callback_at: datetime | None
    contact: str | None
    events: list[dict[str, Any]]
    transcript: list[LineOut]
    form: FormOut
    suggestions: list[SuggestionOut]
    last_question: str | None
    masked: bool = Field(
        description="ID and phone numbers are masked; ask again with ?reveal=true (audited)"
    )


class CannedOut(BaseModel):
    id: str
    text: dict[str, str]


class ColleagueOut(BaseModel):
    username: str
    role: str
    team: str | None


@cache
def canned_replies() -> tuple[CannedOut, ...]:
    entries = yaml.safe_load(CANNED.read_text(encoding="utf-8")) or []
    return tuple(
        CannedOut(id=str(e["id"]), text={k: str(v) for k, v in e.items() if k != "id"})
        for e in entries
    )


router = APIRouter(prefix="/api/v1/agent", tags=["agent console"])


def suggestions(request: Request, gw: Gw) -> Suggestions:
    """One lazily loaded suggestion index per gateway process."""
    existing = getattr(request.app.state, "console_suggestions", None)
    if isinstance(existing, Suggestions):
        return existing
    created = Suggestions(gw.handoff_settings.console_kb)
    request.app.state.console_suggestions = created
    return created


@router.get(
    "/tickets/{ticket_id}",
    response_model=TicketOut,
    summary="A ticket with its transcript, form data and knowledge-base suggestions",
)
async def get_ticket(
    ticket_id: TicketId,
    agent: CurrentAgent,
    gw: Gw,
    d: Desk,
    acc: Accounts,
    request: Request,
    reveal: bool = False,
) -> TicketOut:
    record = await asyncio.to_thread(ticket_records.ticket, gw.db, ticket_id)
    holder = await d.queue.holder(ticket_id)
    visible = record is not None and (
        agent.supervisor
        or holder == agent.username
        or record.agent == agent.username  # the agent who handled it last (e.g. closed it)
        or (record.status == "waiting" and may_see_team(agent, record.team))
    )
    if record is None or not visible:
        raise HTTPException(404, f"no ticket {ticket_id} for you")
    if reveal:
        if not (agent.supervisor or holder == agent.username):
            raise HTTPException(
                403, "only the agent holding the ticket (or a supervisor) may reveal"
            )
        await acc.audit(agent.username, "reveal", f"ticket:{ticket_id}", None)
    show: Callable[[Any], Any] = _as_is if reveal else mask_value
    lines = await asyncio.to_thread(ticket_records.conversation, gw.db, record.citizen_id)
    events = await asyncio.to_thread(ticket_records.events, gw.db, ticket_id)
    # the question the bot could not settle: the citizen's last message before the handoff
    # (messages from the handoff on carry its ticket id); else their last message at all
    said = [line for line in lines if line.sender == "citizen"]
    before = [line for line in said if line.ticket_id is None]
    last = (before or said)[-1].text if said else None
    found = await suggestions(request, gw).top(last or "", record.lang)
    form = await form_data(gw.redis, record.citizen_id)
    return TicketOut(
        id=record.id, conversation_id=record.citizen_id, status=record.status, kind=record.kind,
        reason=record.reason, topic=record.topic, lang=record.lang,
        simple_mode=record.simple_mode, priority=record.priority, team=record.team,
        holder=holder, created_at=record.created_at, closed_at=record.closed_at,
        note=record.note, rating=record.rating, callback_at=record.callback_at,
        contact=show(record.contact), events=events,
        transcript=[LineOut(**{**line.__dict__, "text": show(line.text)}) for line in lines],
        form=FormOut(active_form=form.active_form, slots=show(form.slots)),
        suggestions=[SuggestionOut(**s.__dict__) for s in found],
        last_question=show(last), masked=not reveal,
    )  # fmt: skip


def _as_is(value: Any) -> Any:
    return value


@router.get("/canned", response_model=list[CannedOut], summary="Canned replies")
async def get_canned(agent: CurrentAgent) -> list[CannedOut]:
    return list(canned_replies())


@router.get("/agents", response_model=list[ColleagueOut], summary="Colleagues (transfer targets)")
async def get_agents(agent: CurrentAgent, acc: Accounts) -> list[ColleagueOut]:
    return [
        ColleagueOut(username=a.username, role=a.role, team=a.team)
        for a in await asyncio.to_thread(acc.all)
        if a.active
    ]
