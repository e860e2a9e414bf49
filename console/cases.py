"""The back office for caseworkers (and supervisors): list, open, move and assign cases, and
what the page needs to label and filter them in either language (`/meta`). Supervisors' lists
and the case reports are in console/case_oversight.py; the models in console/case_models.py.

Every route checks the role: an account without the `cases` permission (an agent, an editor)
gets 403 and sees no case. A caseworker of a team sees that team's cases, cases of no team and
the cases assigned to them; everyone else's case is answered like an unknown one (404). ID and
phone numbers are masked until the caseworker asks with `?reveal=true` (audited). Every change
is a case event (who, when, from, to, note) and an audit log entry.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi import Path as PathParam
from fastapi.responses import FileResponse

from bot.agents.accounts import AgentSession
from bot.agents.roles import ROLES, may
from bot.cases.service import CaseService
from bot.cases.store import Case, CaseFilter, Event
from bot.cases.workflow import Workflow, workflows
from bot.masking import mask_value
from console.api import Accounts, Gw
from console.auth import Caseworker
from console.case_models import (
    AssignIn,
    CaseDetail,
    CaseItem,
    CaseList,
    EventItem,
    FieldInfo,
    FormInfo,
    LineItem,
    Meta,
    Move,
    Person,
    StatusIn,
    StatusInfo,
    StatusOut,
)

Reference = Annotated[str, PathParam(pattern=r"^RC-\d{4}-\d{6,}$", max_length=40)]
Id = Annotated[int, PathParam(ge=1, le=2**62)]
StatusId = Annotated[str, Query(max_length=40, pattern=r"^[a-z][a-z0-9_]*$")]
Name = Annotated[str, Query(max_length=100, pattern=r"^[A-Za-z0-9_.@-]+$")]
# who may be assigned a case: the roles with the `cases` permission (bot/agents/roles.py)
CASE_ROLES = frozenset(role for role in ROLES if may(role, "cases"))


def cases_of(gw: Gw) -> CaseService:
    if gw.cases is None:
        raise HTTPException(503, "cases are not configured")
    return gw.cases


Cases = Annotated[CaseService, Depends(cases_of)]
router = APIRouter(prefix="/api/v1/backoffice", tags=["back office"])


def _visible(agent: AgentSession, case: Case) -> bool:
    return (
        agent.may("supervise")
        or agent.team is None
        or case.team in (None, agent.team)
        or case.assignee == agent.username
    )


def _item(cases: CaseService, case: Case, events: list[Event], lang: str = "en") -> CaseItem:
    workflow = cases.store.workflow(case.form)
    timing = cases.store.timing(case, events)
    now = cases.store.clock.now()
    return CaseItem(
        reference=case.reference, form=case.form,
        title=workflow.title.get(lang) or workflow.title["en"], status=case.status,
        status_label=workflow.label(case.status, lang), team=case.team, assignee=case.assignee,
        created_at=case.created_at, updated_at=case.updated_at,
        age_s=int((now - case.created_at).total_seconds()), business_s=int(timing.business_s),
        sla_s=int(timing.sla_s), sla_breached=timing.breached,
        waiting_for_citizen=workflow.waits(case.status), rating=case.rating,
    )  # fmt: skip


async def _case_for(cases: CaseService, agent: AgentSession, reference: str) -> Case:
    case = await asyncio.to_thread(cases.store.find, reference)
    if not _visible(agent, case):
        raise HTTPException(404, f"no case {reference}")
    return case


def _form_info(workflow: Workflow) -> FormInfo:
    return FormInfo(
        form=workflow.form, title=dict(workflow.title),
        statuses=[StatusInfo(id=s.id, label=dict(s.label), final=s.final,
                             waits_for_citizen=s.waits_for_citizen)
                  for s in workflow.statuses.values()],
        transitions={k: list(v) for k, v in workflow.transitions.items()},
        fields={name: FieldInfo(label=dict(f.label),
                                options={k: dict(v) for k, v in f.options.items()})
                for name, f in workflow.fields.items()},
        sla_hours=workflow.sla_hours, team=workflow.team,
    )  # fmt: skip


@router.get("/meta", response_model=Meta, summary="Forms, statuses, labels, caseworkers, teams")
async def meta(agent: Caseworker, cases: Cases, acc: Accounts) -> Meta:
    accounts = [a for a in await asyncio.to_thread(acc.all) if a.active]
    people = [
        Person(username=a.username, display_name=a.display_name or a.username, role=a.role,
               team=a.team)
        for a in accounts if a.role in CASE_ROLES
    ]  # fmt: skip
    forms = [_form_info(w) for w in workflows().values()]
    teams = {a.team for a in accounts if a.team} | {f.team for f in forms if f.team}
    return Meta(forms=forms, caseworkers=people, teams=sorted(teams))


@router.get("/cases", response_model=CaseList, summary="Cases, newest first, filtered")
async def list_cases(
    agent: Caseworker,
    cases: Cases,
    form: StatusId | None = None,
    status: StatusId | None = None,
    team: Annotated[str | None, Query(max_length=60)] = None,
    assignee: Name | None = None,
    min_age_h: Annotated[float | None, Query(ge=0, le=24 * 3660)] = None,
    max_age_h: Annotated[float | None, Query(ge=0, le=24 * 3660)] = None,
    sla: Literal["breached", "ok"] | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> CaseList:
    visible_to = None
    if not agent.may("supervise") and agent.team is not None:
        visible_to = (agent.team, agent.username)
    where = CaseFilter(
        form=form, status=status, team=team, assignee=assignee,
        older_than_s=min_age_h * 3600 if min_age_h is not None else None,
        newer_than_s=max_age_h * 3600 if max_age_h is not None else None,
        limit=limit, visible_to=visible_to,
    )  # fmt: skip
    found = await asyncio.to_thread(cases.store.search, where)
    histories = await asyncio.to_thread(cases.store.histories, [c.id for c in found])
    items = [_item(cases, c, histories[c.id]) for c in found]
    if sla is not None:
        items = [i for i in items if i.sla_breached == (sla == "breached")]
    return CaseList(cases=items)


@router.get("/cases/{reference}", response_model=CaseDetail, summary="One case, all of it")
async def get_case(
    reference: Reference, agent: Caseworker, cases: Cases, gw: Gw, acc: Accounts,
    reveal: bool = False,
) -> CaseDetail:  # fmt: skip
    case = await _case_for(cases, agent, reference)
    if reveal:
        await acc.audit(agent.username, "reveal", f"case:{reference}", None)
    show: Callable[[Any], Any] = (lambda v: v) if reveal else mask_value
    events = await asyncio.to_thread(cases.store.history, reference)
    lines = await asyncio.to_thread(gw.transcript.recent, case.citizen_id, 100)
    workflow = cases.store.workflow(case.form)
    item = _item(cases, case, events)
    return CaseDetail(
        **item.model_dump(), citizen_id=case.citizen_id, channel=case.channel, lang=case.lang,
        answers=show(dict(case.answers)),
        events=[
            EventItem(id=e.id, at=e.at, actor=e.actor, kind=e.kind, from_status=e.from_status,
                      to_status=e.to_status, note=show(e.note),
                      detail=_photo_link(reference, e) if e.detail else None)
            for e in events
        ],
        moves=[Move(status=s, label=workflow.label(s, "en"))
               for s in workflow.transitions.get(case.status, ())],
        conversation=[LineItem(id=m.id, sender=m.sender, text=show(m.text),
                               created_at=m.created_at) for m in lines],
        masked=not reveal,
    )  # fmt: skip


def _photo_link(reference: str, event: Event) -> dict[str, Any]:
    """An event's detail, with a stored photo as a console link (never a file path)."""
    detail = dict(event.detail or {})
    photo = detail.get("photo")
    if isinstance(photo, dict):
        shown = {k: v for k, v in photo.items() if k in ("url", "file_unique_id")}
        if photo.get("path"):
            shown["href"] = f"/api/v1/backoffice/cases/{reference}/photos/{event.id}"
        detail["photo"] = shown
    return detail


@router.get(
    "/cases/{reference}/photos/{event_id}",
    response_class=FileResponse,
    summary="A photo the citizen sent for the case",
)
async def get_photo(
    reference: Reference, event_id: Id, agent: Caseworker, cases: Cases, gw: Gw
) -> FileResponse:
    await _case_for(cases, agent, reference)
    events = await asyncio.to_thread(cases.store.history, reference)
    event = next((e for e in events if e.id == event_id), None)
    photo = (event.detail or {}).get("photo") if event is not None else None
    path = None
    if isinstance(photo, dict) and photo.get("path"):  # stored relative to var/ (Telegram)
        path = (gw.settings.var_dir / str(photo["path"])).resolve()
    uploads = (gw.settings.var_dir / "uploads").resolve()
    if path is None or not path.is_relative_to(uploads) or not path.is_file():
        raise HTTPException(404, "no such photo")
    return FileResponse(path, headers={"Cache-Control": "no-store"})


@router.post("/cases/{reference}/status", response_model=StatusOut, summary="Move a case")
async def change_status(
    reference: Reference, body: StatusIn, agent: Caseworker, cases: Cases, acc: Accounts
) -> StatusOut:
    await _case_for(cases, agent, reference)
    change = await asyncio.to_thread(
        cases.store.change_status, reference, body.status, f"agent:{agent.username}",
        body.note, urgent=body.urgent,
    )  # fmt: skip
    if change.changed:
        cases.changed()
        await acc.audit(
            agent.username, "case_status", f"case:{reference}",
            {"from": change.event.from_status if change.event else None, "to": body.status,
             "urgent": body.urgent},
        )  # fmt: skip
    return StatusOut(reference=reference, status=change.case.status, changed=change.changed)


@router.post("/cases/{reference}/assign", response_model=CaseItem, summary="Assign a case")
async def assign(
    reference: Reference, body: AssignIn, agent: Caseworker, cases: Cases, acc: Accounts
) -> CaseItem:
    case = await _case_for(cases, agent, reference)
    if body.assignee:
        accounts = {a.username: a for a in await asyncio.to_thread(acc.all) if a.active}
        target = accounts.get(body.assignee)
        if target is None or target.role not in CASE_ROLES:
            raise HTTPException(422, f"{body.assignee!r} is not an active caseworker")
    team = body.team if body.team else case.team
    updated = await asyncio.to_thread(
        cases.store.assign, reference, f"agent:{agent.username}",
        assignee=body.assignee or case.assignee, team=team,
    )  # fmt: skip
    await acc.audit(agent.username, "case_assigned", f"case:{reference}",
                    {"assignee": updated.assignee, "team": updated.team})  # fmt: skip
    events = await asyncio.to_thread(cases.store.history, reference)
    return _item(cases, updated, events)
