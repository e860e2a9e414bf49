"""The cases API: the action server submits forms and looks cases up here.

Service to service: `Authorization: Bearer <CIVIC_SERVICE_TOKEN>`. Every lookup names the
citizen (the action passes Rasa's sender id, which is the gateway's citizen id) and only that
citizen's cases are visible; anyone else's reference is answered like an unknown one (404).
"""

from __future__ import annotations

import asyncio
import hmac
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from bot.cases.store import Case, CaseStore
from bot.gateway import Gateway

CitizenId = Annotated[str, Query(min_length=1, max_length=200)]


class CaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    citizen_id: str = Field(min_length=1, max_length=200)
    form: str = Field(min_length=1, max_length=80, pattern=r"^[a-z][a-z0-9_]*$")
    answers: dict[str, Any]
    channel: str = Field(default="rest", min_length=1, max_length=40)
    lang: str = Field(default="en", pattern=r"^(en|zh)$")
    submission_key: str | None = Field(default=None, max_length=64)


class CaseOut(BaseModel):
    reference: str
    form: str
    status: str
    channel: str
    lang: str
    answers: dict[str, Any]
    created_at: datetime
    updated_at: datetime


class CasesOut(BaseModel):
    cases: list[CaseOut]


def _gateway(request: Request) -> Gateway:
    gw: Gateway = request.app.state.gateway
    return gw


def require_service_token(
    request: Request, authorization: Annotated[str | None, Header()] = None
) -> None:
    scheme, _, token = (authorization or "").partition(" ")
    expected = _gateway(request).settings.service_token
    if scheme.lower() != "bearer" or not hmac.compare_digest(token, expected):
        raise HTTPException(
            401, "a valid service token is required", {"WWW-Authenticate": "Bearer"}
        )


def store(request: Request) -> CaseStore:
    gw = _gateway(request)
    return CaseStore(gw.db, gw.clock)


def case_out(case: Case) -> CaseOut:
    return CaseOut(
        reference=case.reference,
        form=case.form,
        status=case.status,
        channel=case.channel,
        lang=case.lang,
        answers=dict(case.answers),
        created_at=case.created_at,
        updated_at=case.updated_at,
    )


router = APIRouter(
    prefix="/api/v1/cases", tags=["cases"], dependencies=[Depends(require_service_token)]
)


@router.post("", status_code=201, response_model=CaseOut, summary="Submit a completed form")
async def create_case(body: CaseIn, cases: Annotated[CaseStore, Depends(store)]) -> CaseOut:
    case = await asyncio.to_thread(
        cases.create,
        body.citizen_id,
        body.form,
        body.answers,
        body.channel,
        body.lang,
        body.submission_key,
    )
    return case_out(case)


@router.get("", response_model=CasesOut, summary="A citizen's cases, newest first")
async def list_cases(
    citizen_id: CitizenId, cases: Annotated[CaseStore, Depends(store)]
) -> CasesOut:
    found = await asyncio.to_thread(cases.for_citizen, citizen_id)
    return CasesOut(cases=[case_out(c) for c in found])


@router.get("/{reference}", response_model=CaseOut, summary="One case of a citizen")
async def get_case(
    reference: Annotated[str, Path(pattern=r"^RC-\d{4}-\d{6,}$")],
    citizen_id: CitizenId,
    cases: Annotated[CaseStore, Depends(store)],
) -> CaseOut:
    return case_out(await asyncio.to_thread(cases.get, reference, citizen_id))
