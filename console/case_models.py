"""What the back office's routes (console/cases.py, console/case_oversight.py) take and give."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from api.inputs import PlainText

Bilingual = dict[str, str]  # {"en": ..., "zh": ...}


class CaseItem(BaseModel):
    reference: str
    form: str
    title: str
    status: str
    status_label: str
    team: str | None
    assignee: str | None
    created_at: datetime
    updated_at: datetime
    age_s: int
    business_s: int = Field(description="office-hours time so far, without waiting for the citizen")
    sla_s: int
    sla_breached: bool
    waiting_for_citizen: bool
    rating: int | None


class CaseList(BaseModel):
    cases: list[CaseItem]


class EventItem(BaseModel):
    id: int
    at: datetime
    actor: str
    kind: str
    from_status: str | None
    to_status: str | None
    note: str | None
    detail: dict[str, Any] | None


class Move(BaseModel):
    status: str
    label: str


class LineItem(BaseModel):
    id: int
    sender: str
    text: str
    created_at: datetime


class CaseDetail(CaseItem):
    citizen_id: str
    channel: str
    lang: str
    answers: dict[str, Any]
    events: list[EventItem]
    moves: list[Move] = Field(description="the statuses the workflow allows from here")
    conversation: list[LineItem] = Field(description="the citizen's recent messages, both ways")
    masked: bool


class StatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: str = Field(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]*$")
    note: PlainText | None = Field(default=None, max_length=4000, description="for the citizen")
    urgent: bool = Field(default=False, description="tell the citizen even outside office hours")


class StatusOut(BaseModel):
    reference: str
    status: str
    changed: bool


class AssignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    assignee: PlainText | None = Field(default=None, max_length=100)
    team: PlainText | None = Field(default=None, max_length=60)

    @model_validator(mode="after")
    def _something(self) -> AssignIn:
        if not self.assignee and not self.team:
            raise ValueError("give an assignee, a team or both")
        return self


class StatusInfo(BaseModel):
    id: str
    label: Bilingual
    final: bool
    waits_for_citizen: bool


class FieldInfo(BaseModel):
    label: Bilingual
    options: dict[str, Bilingual] = Field(description="a choice's option labels, by option id")


class FormInfo(BaseModel):
    form: str
    title: Bilingual
    statuses: list[StatusInfo]
    transitions: dict[str, list[str]]
    fields: dict[str, FieldInfo]
    sla_hours: float
    team: str | None


class Person(BaseModel):
    username: str
    display_name: str
    role: str
    team: str | None


class Meta(BaseModel):
    """What the back office needs to label and filter: in both languages, for the console's."""

    forms: list[FormInfo]
    caseworkers: list[Person] = Field(description="active accounts that may be given a case")
    teams: list[str]


class DeadLetterItem(BaseModel):
    id: int
    webhook_id: str
    reference: str
    form: str
    event_type: str
    attempts: int
    last_error: str | None
    created_at: datetime


class ReviewItem(BaseModel):
    id: int
    reference: str
    form: str
    rating: int
    created_at: datetime
    resolved_at: datetime | None
    resolved_by: str | None
    note: str | None
    assignee: str | None
    team: str | None


class ResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: PlainText | None = Field(default=None, max_length=4000)
