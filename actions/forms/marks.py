"""What a form's validation came to, as outcome marks for the gateway's insights."""

from __future__ import annotations

from typing import Any

from actions.forms.spec import CONFIRM_SLOT, FormSpec
from actions.forms.turn import DRAFT_SLOT, REQUESTED_SLOT, STATUS_SLOT, Outcome

_ENDS = {"cancelled": "form_cancelled", "paused": "form_paused", "handoff": "form_handoff"}


def form_marks(
    spec: FormSpec, slots: dict[str, Any], fresh: bool, outcome: Outcome
) -> list[dict[str, Any]]:
    """What this validation came to, for the gateway's insights (control-only replies it
    drops): the form started or resumed, an answer refused, the form ended early, the next
    question asked (`form_step`, step 1..n) or the summary shown. Steps are 1-based positions
    in the rules table; the summary is step n + 1."""
    requested = slots.get(REQUESTED_SLOT)
    fields = list(spec.slots)
    marks: list[dict[str, Any]] = []

    def step(slot: Any) -> int:
        return fields.index(slot) + 1 if slot in fields else len(fields) + 1

    def field(slot: Any) -> str:
        return str(slot)[len(spec.name) + 1 :] if slot in fields else "summary"

    started = fresh and requested not in (*fields, CONFIRM_SLOT)
    if started:
        draft = slots.get(DRAFT_SLOT)
        resumed = isinstance(draft, dict) and draft.get("form") == spec.name
        marks.append({"kind": "form_resumed" if resumed else "form_started", "form": spec.name})
    status = outcome.slots.get(STATUS_SLOT)
    if status in _ENDS:
        at = {"form": spec.name, "field": field(requested), "step": step(requested)}
        return [*marks, {"kind": _ENDS[status], **at}]
    following = outcome.slots.get(REQUESTED_SLOT)
    refused = (
        fresh
        and not started
        and requested in fields
        and requested in outcome.slots
        and outcome.slots[requested] is None
        and following == requested
        and bool(outcome.messages)
    )
    if refused:
        marks.append(
            {"kind": "form_invalid", "form": spec.name, "field": field(requested),
             "step": step(requested)}
        )  # fmt: skip
    if following is not None and (started or following != requested):
        kind = "form_summary" if following == CONFIRM_SLOT else "form_step"
        marks.append(
            {"kind": kind, "form": spec.name, "field": field(following), "step": step(following)}
        )
    return marks
