"""The cases API: the action server submits forms and looks cases up; department systems
change a case's status.

- Service to service (`Authorization: Bearer <CIVIC_SERVICE_TOKEN>`): submit, list and look up.
  Every lookup names the citizen (the action passes Rasa's sender id, which is the gateway's
  citizen id) and only that citizen's cases are visible; anyone else's reference is answered
  like an unknown one (404).
- `PATCH /api/v1/cases/{reference}` `{"status", "note"}`: a department system's key (`civic
  department add NAME --forms ...`) opens only that department's forms' cases (any other is
  404); the service token opens every case. An illegal move is 409, the same status again a
  no-op 200 (`changed: false`).
"""

from __future__ import annotations

import asyncio
import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from api.inputs import PlainText
from bot.cases.case import Case, Event
from bot.cases.service import CaseService
from bot.cases.store import CaseStore
from bot.cases.workflow import Workflow, workflow_for
from bot.gateway import Gateway

CitizenId = Annotated[str, Query(min_length=1, max_length=200)]
Reference = Annotated[str, Path(pattern=r"^RC-\d{4}-\d{6,}$", max_length=40)]


class CaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    citizen_id: str = Field(min_length=1, max_length=200)
    form: str = Field(min_length=1, max_length=80, pattern=r"^[a-z][a-z0-9_]*$")
    answers: dict[str, Any]
    channel: str = Field(default="rest", min_length=1, max_length=40)
    lang: str = Field(default="en", pattern=r"^(en|zh)$")
    submission_key: str | None = Field(default=None, max_length=64)


class EventOut(BaseModel):
    at: datetime
    kind: str = Field(description="created | status | assigned | citizen_info | rated | replayed")
    from_status: str | None
    to_status: str | None
    to_label: dict[str, str] | None = Field(description="the new status in en and zh")
    note: str | None


class CaseOut(BaseModel):
    reference: str
    form: str
    status: str
    channel: str
    lang: str
    answers: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    status_label: dict[str, str] = Field(description="the status in en and zh")
    title: dict[str, str] = Field(description="the form's title in en and zh")
    history: list[EventOut] = Field(default_factory=list, description="oldest first")


class CasesOut(BaseModel):
    cases: list[CaseOut]


class StatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: str = Field(
        min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]*$",
        description="a status id of the form's workflow, e.g. in_review",
    )  # fmt: skip
    note: PlainText | None = Field(
        default=None, max_length=4000, description="for the citizen (sent with the update)"
    )
    urgent: bool = Field(default=False, description="tell the citizen even outside office hours")


class StatusOut(BaseModel):
    reference: str
    status: str
    changed: bool = Field(description="false: the case already had this status (nothing done)")


def _gateway(request: Request) -> Gateway:
    gw: Gateway = request.app.state.gateway
    return gw


def _bearer(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _is_service(request: Request, token: str) -> bool:
    expected = _gateway(request).settings.service_token
    return bool(token) and hmac.compare_digest(token.encode(), expected.encode())


def require_service_token(
    request: Request, authorization: Annotated[str | None, Header()] = None
) -> None:
    if not _is_service(request, _bearer(authorization)):
        raise HTTPException(
            401, "a valid service token is required", {"WWW-Authenticate": "Bearer"}
        )


def service(request: Request) -> CaseService:
    cases: CaseService | None = getattr(_gateway(request), "cases", None)
    if cases is None:
        raise HTTPException(503, "cases are not configured")
    return cases


def store(request: Request) -> CaseStore:
    gw = _gateway(request)
    cases = getattr(gw, "cases", None)
    return cases.store if cases is not None else CaseStore(gw.db, gw.clock)


@dataclass(frozen=True)
class Caller:
    name: str  # "service" or "department:<name>"
    forms: frozenset[str] | None  # None: every form


async def department_or_service(
    request: Request, authorization: Annotated[str | None, Header()] = None
) -> Caller:
    token = _bearer(authorization)
    if _is_service(request, token):
        return Caller("service", None)
    found = None
    if token:
        found = await asyncio.to_thread(service(request).departments.authenticate, token)
    if found is None:
        raise HTTPException(
            401, "a department key or the service token is required", {"WWW-Authenticate": "Bearer"}
        )
    return Caller(f"department:{found.name}", found.forms)


def _labels(workflow: Workflow, status: str) -> dict[str, str]:
    return {lang: workflow.label(status, lang) for lang in ("en", "zh")}


def event_out(event: Event, workflow: Workflow) -> EventOut:
    return EventOut(
        at=event.at,
        kind=event.kind,
        from_status=event.from_status,
        to_status=event.to_status,
        to_label=_labels(workflow, event.to_status) if event.to_status else None,
        note=event.note,
    )


def case_out(case: Case, history: list[Event] | None = None) -> CaseOut:
    workflow = workflow_for(case.form)
    return CaseOut(
        reference=case.reference,
        form=case.form,
        status=case.status,
        channel=case.channel,
        lang=case.lang,
        answers=dict(case.answers),
        created_at=case.created_at,
        updated_at=case.updated_at,
        status_label=_labels(workflow, case.status),
        title=dict(workflow.title),
        history=[event_out(e, workflow) for e in history or [] if e.kind in ("created", "status")],
    )


Service = Annotated[None, Depends(require_service_token)]
router = APIRouter(prefix="/api/v1/cases", tags=["cases"])


@router.post("", status_code=201, response_model=CaseOut, summary="Submit a completed form")
async def create_case(
    body: CaseIn, _: Service, cases: Annotated[CaseStore, Depends(store)], request: Request
) -> CaseOut:
    case = await asyncio.to_thread(
        cases.create,
        body.citizen_id,
        body.form,
        body.answers,
        body.channel,
        body.lang,
        body.submission_key,
    )
    if getattr(_gateway(request), "cases", None) is not None:
        service(request).changed()  # the hand-over to the department goes out now
    return case_out(case)


@router.get("", response_model=CasesOut, summary="A citizen's cases, newest first")
async def list_cases(
    citizen_id: CitizenId, _: Service, cases: Annotated[CaseStore, Depends(store)]
) -> CasesOut:
    found = await asyncio.to_thread(cases.for_citizen, citizen_id)
    return CasesOut(cases=[case_out(c) for c in found])


@router.get(
    "/{reference}", response_model=CaseOut, summary="One case of a citizen, with its history"
)
async def get_case(
    reference: Reference,
    citizen_id: CitizenId,
    _: Service,
    cases: Annotated[CaseStore, Depends(store)],
) -> CaseOut:
    case = await asyncio.to_thread(cases.get, reference, citizen_id)
    return case_out(case, await asyncio.to_thread(cases.history, reference))


@router.patch(
    "/{reference}",
    response_model=StatusOut,
    summary="Change a case's status (department systems)",
    responses={
        404: {"description": "no such case, or not one of this department's forms"},
        409: {"description": "the workflow does not allow this move"},
    },
)
async def change_status(
    reference: Reference,
    body: StatusIn,
    caller: Annotated[Caller, Depends(department_or_service)],
    cases: Annotated[CaseService, Depends(service)],
) -> StatusOut:
    change = await asyncio.to_thread(
        cases.store.change_status,
        reference,
        body.status,
        caller.name,
        body.note,
        urgent=body.urgent,
        forms=caller.forms,
    )
    if change.changed:
        cases.changed()
    return StatusOut(reference=reference, status=change.case.status, changed=change.changed)
