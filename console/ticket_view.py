"""What an agent sees of one ticket: the transcript, the form data so far, knowledge-base
suggestions for the citizen's last question, canned replies; plus the list of colleagues."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field
from redis.exceptions import RedisError

from bot.agents.canned import CannedReplies, citizen_name, fill
from bot.agents.desk import TicketConflict
from bot.agents.roles import may
from bot.errors import StoreUnavailable
from bot.handoff import ticket_records
from bot.masking import mask_value
from bot.rasa.tracker import form_data
from console.api import Accounts, Desk, Gw, TicketId, may_see_team
from console.auth import DeskAgent
from console.labels import Wording, label, last_question, wording
from console.suggestions import Suggestions
from insights import question_labels


class LineOut(BaseModel):
    id: int
    sender: str
    text: str  # as typed: the console shows it with textContent, never as HTML
    label: str | None = Field(
        default=None, description="a button press in words (the text is its raw payload)"
    )
    label_wording: Wording | None = Field(
        default=None, description="the label as a key of the console's catalogues (payload.*)"
    )
    created_at: datetime
    ticket_id: int | None


class SuggestionOut(BaseModel):
    guide_id: str
    title: str
    section: str
    snippet: str
    score: float


class GuideChoice(BaseModel):
    guide_id: str
    title: str


class UnsettledOut(BaseModel):
    """A question of the conversation the assistant declined (or met with a choice of guides),
    for the agent to label: which guide answers it, or none (feeds `civic kb calibrate`)."""

    message_id: int
    text: str  # masked unless revealed; shown with textContent
    outcome: Literal["declined", "clarified"]
    at: datetime
    labelled: bool
    guide: GuideChoice | None = Field(description="the label: the guide that answers it")
    labelled_by: str | None
    choices: list[GuideChoice] = Field(description="the guides suggested for this question")


class LabelIn(BaseModel):
    message_id: int = Field(ge=1, le=2**62)
    guide_id: str | None = Field(
        default=None, max_length=120, description="the guide that answers it; null: none does"
    )


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
    unsettled: list[UnsettledOut] = Field(
        default_factory=list, description="questions the assistant could not settle, to label"
    )
    masked: bool = Field(
        description="ID and phone numbers are masked; ask again with ?reveal=true (audited)"
    )


class CannedOut(BaseModel):
    id: str = Field(description="the title (one entry per title and team)")
    title: str
    team: str | None
    text: dict[str, str] = Field(description="per language; placeholders filled for ?ticket_id")
    ids: dict[str, int] = Field(description="the SQL id of each language's text")


class ColleagueOut(BaseModel):
    username: str
    display_name: str
    role: str
    team: str | None


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
    agent: DeskAgent,
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
    if holder == agent.username:  # opening a ticket assigned to you accepts it
        with contextlib.suppress(TicketConflict):
            await d.accept(ticket_id, agent.username)
    if reveal:
        if not (agent.supervisor or holder == agent.username):
            raise HTTPException(
                403, "only the agent holding the ticket (or a supervisor) may reveal"
            )
        await acc.audit(agent.username, "reveal", f"ticket:{ticket_id}", None)
    show: Callable[[Any], Any] = _as_is if reveal else mask_value
    lines = await asyncio.to_thread(ticket_records.conversation, gw.db, record.citizen_id)
    events = await asyncio.to_thread(ticket_records.events, gw.db, ticket_id)
    # the question the bot could not settle: the citizen's last real question before the
    # handoff (not "human", a button or a number); else their last real question at all
    last = last_question(lines)
    found = await suggestions(request, gw).top(last or "", record.lang)
    form = await form_data(gw.redis, record.citizen_id)
    unsettled = await _unsettled(request, gw, record.citizen_id, show)
    return TicketOut(
        id=record.id, conversation_id=record.citizen_id, status=record.status, kind=record.kind,
        reason=record.reason, topic=record.topic, lang=record.lang,
        simple_mode=record.simple_mode, priority=record.priority, team=record.team,
        holder=holder, created_at=record.created_at, closed_at=record.closed_at,
        note=record.note, rating=record.rating, callback_at=record.callback_at,
        contact=show(record.contact), events=events,
        transcript=[_line(line, show) for line in lines],
        form=FormOut(active_form=form.active_form, slots=show(form.slots)),
        suggestions=[SuggestionOut(**s.__dict__) for s in found],
        last_question=show(last), unsettled=unsettled, masked=not reveal,
    )  # fmt: skip


def _title(titles: dict[str, dict[str, str]], guide_id: str, lang: str) -> str:
    names = titles.get(guide_id, {})
    return names.get(lang) or next(iter(names.values()), guide_id)


def _unsettled_out(
    q: question_labels.Unsettled,
    titles: dict[str, dict[str, str]],
    text: str,
    choices: list[GuideChoice],
) -> UnsettledOut:
    guide = None
    if q.guide:
        guide = GuideChoice(guide_id=q.guide, title=_title(titles, q.guide, q.lang))
    outcome: Literal["declined", "clarified"] = (
        "clarified" if q.outcome == "clarified" else "declined"
    )
    return UnsettledOut(
        message_id=q.message_id, text=text, outcome=outcome, at=q.at, labelled=q.labelled,
        guide=guide, labelled_by=q.labelled_by, choices=choices,
    )  # fmt: skip


async def _unsettled(
    request: Request, gw: Gw, citizen_id: str, show: Callable[[Any], Any]
) -> list[UnsettledOut]:
    """The conversation's declined / clarified questions (the last five), each with the
    guides suggested for it and its label."""
    if gw.outcome_drain is not None:
        # a question declined a moment ago may still wait in Redis for the background drain
        # (every 2 s): an agent who opens the ticket at once must see it too
        with contextlib.suppress(StoreUnavailable, RedisError):
            await gw.outcome_drain.drain_once()
    found = (await asyncio.to_thread(question_labels.unsettled, gw.db, citizen_id))[-5:]
    if not found:
        return []
    hints = suggestions(request, gw)
    titles = await hints.guide_titles()
    out = []
    for q in found:
        suggested = await hints.top(q.text, q.lang)
        choices = [GuideChoice(guide_id=s.guide_id, title=s.title) for s in suggested]
        out.append(_unsettled_out(q, titles, show(q.text), choices))
    return out


@router.get(
    "/guides",
    response_model=list[GuideChoice],
    summary="Every guide (id and title in the language asked for), to label a question with",
)
async def get_guides(
    agent: DeskAgent, gw: Gw, request: Request, lang: Literal["en", "zh"] = "en"
) -> list[GuideChoice]:
    titles = await suggestions(request, gw).guide_titles()
    choices = [GuideChoice(guide_id=g, title=_title(titles, g, lang)) for g in titles]
    return sorted(choices, key=lambda c: c.title.casefold())


@router.post(
    "/tickets/{ticket_id}/labels",
    response_model=UnsettledOut,
    summary="Label a question the assistant could not settle: the guide that answers it, or none",
)
async def label_question(
    ticket_id: TicketId, body: LabelIn, agent: DeskAgent, gw: Gw, d: Desk, acc: Accounts,
    request: Request,
) -> UnsettledOut:  # fmt: skip
    record = await asyncio.to_thread(ticket_records.ticket, gw.db, ticket_id)
    holder = await d.queue.holder(ticket_id)
    if record is None or not (
        agent.supervisor or holder == agent.username or record.agent == agent.username
    ):
        raise HTTPException(404, f"no ticket {ticket_id} of yours")
    titles = await suggestions(request, gw).guide_titles()
    if body.guide_id is not None and body.guide_id not in titles:
        raise HTTPException(422, f"no guide {body.guide_id!r}")
    saved = await asyncio.to_thread(
        question_labels.set_label, gw.db, record.citizen_id, body.message_id, body.guide_id,
        ticket_id, agent.username, gw.clock.now(),
    )  # fmt: skip
    if saved is None:
        raise HTTPException(404, f"no unanswered question {body.message_id} in this conversation")
    await acc.audit(
        agent.username, "label_question", f"ticket:{ticket_id}",
        {"message_id": body.message_id, "guide": body.guide_id},
    )  # fmt: skip
    return _unsettled_out(saved, titles, mask_value(saved.text), [])


def _line(line: ticket_records.Line, show: Callable[[Any], Any]) -> LineOut:
    readable = label(line.sender, line.text)
    return LineOut(
        **{**line.__dict__, "text": show(line.text)},
        label=readable, label_wording=wording(line.sender, line.text),
    )  # fmt: skip


def _as_is(value: Any) -> Any:
    return value


@router.get(
    "/canned",
    response_model=list[CannedOut],
    summary="Canned replies for the agent's team; placeholders filled for a ticket they hold",
)
async def get_canned(
    agent: DeskAgent, gw: Gw, d: Desk, ticket_id: int | None = None
) -> list[CannedOut]:
    store = CannedReplies(gw.db, gw.clock)
    rows = await asyncio.to_thread(store.for_team, agent.team, agent.supervisor)
    values: dict[str, str] | None = None
    if ticket_id is not None:
        holder = await d.queue.holder(ticket_id)
        if holder == agent.username or (holder is not None and agent.supervisor):
            record = await asyncio.to_thread(ticket_records.ticket, gw.db, ticket_id)
            slots = (await form_data(gw.redis, record.citizen_id)).slots if record else {}
            values = {"agent": holder, "ticket": f"H-{ticket_id}", "name": citizen_name(slots)}
    grouped: dict[tuple[str, str | None], CannedOut] = {}
    for row in rows:
        entry = grouped.setdefault(
            (row.title, row.team),
            CannedOut(id=row.title, title=row.title, team=row.team, text={}, ids={}),
        )
        entry.text[row.lang] = fill(row.text, values) if values is not None else row.text
        entry.ids[row.lang] = row.id
    return list(grouped.values())


@router.get("/agents", response_model=list[ColleagueOut], summary="Colleagues (transfer targets)")
async def get_agents(agent: DeskAgent, acc: Accounts) -> list[ColleagueOut]:
    return [
        ColleagueOut(
            username=a.username,
            display_name=a.display_name or a.username,
            role=a.role,
            team=a.team,
        )
        for a in await asyncio.to_thread(acc.all)
        if a.active and may(a.role, "desk")
    ]
