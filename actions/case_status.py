"""`action_check_case_status`: 'status RC-2026-000123' / '查询 RC-2026-000123'.

The gateway checks that the case belongs to the citizen (the sender id is the gateway's
citizen id); another citizen's reference looks exactly like an unknown one.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.cases_client import CaseNotFound, CasesUnavailable, cases_client
from actions.forms.spec import forms
from actions.forms.texts import TEXTS, say
from actions.forms.tracker import citizen_lang

log = logging.getLogger(__name__)
REFERENCE = re.compile(r"RC-(\d{4})-(\d{6})", re.IGNORECASE)


def _label(labels: Any, lang: str) -> str | None:
    if isinstance(labels, dict):
        found = labels.get(lang) or labels.get("en")
        return str(found) if found else None
    return None


def describe(case: dict[str, Any], lang: str) -> str:
    spec = forms().get(str(case.get("form")))
    title = spec.title[lang] if spec else str(case.get("form"))
    status_key = f"status_{case.get('status')}"
    status = _label(case.get("status_label"), lang) or (
        say(status_key, lang) if status_key in TEXTS else str(case.get("status"))
    )
    return say(
        "case_status",
        lang,
        reference=case["reference"],
        title=title,
        date=str(case.get("created_at", ""))[:10],
        status=status,
    )


def with_history(case: dict[str, Any], lang: str) -> str:
    """One case and every step it took, oldest first, with the office's notes."""
    lines = [describe(case, lang)]
    steps = [e for e in case.get("history") or [] if isinstance(e, dict) and e.get("to_status")]
    if len(steps) > 1:
        lines.append(say("case_history", lang))
        for step in steps:
            line = say(
                "history_line",
                lang,
                date=str(step.get("at", ""))[:10],
                status=_label(step.get("to_label"), lang) or str(step.get("to_status")),
            )
            if step.get("note"):
                line += say("history_note", lang, note=str(step["note"]))
            lines.append(line)
    return "\n".join(lines)


class ActionCheckCaseStatus(Action):
    def name(self) -> str:
        return "action_check_case_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        lang = citizen_lang(tracker)
        text = (tracker.latest_message or {}).get("text") or ""
        match = REFERENCE.search(text)
        try:
            client = cases_client()
            if match:
                reference = f"RC-{match.group(1)}-{match.group(2)}"
                try:
                    case = await client.get(tracker.sender_id, reference)
                except CaseNotFound:
                    dispatcher.utter_message(text=say("case_not_found", lang, reference=reference))
                    return []
                dispatcher.utter_message(text=with_history(case, lang))
                return []
            cases = await client.list(tracker.sender_id)
        except (CasesUnavailable, CaseNotFound) as exc:
            log.warning("case status lookup failed: %s", exc)
            dispatcher.utter_message(text=say("status_unavailable", lang))
            return []
        if not cases:
            dispatcher.utter_message(text=say("no_cases", lang))
            return []
        lines = [say("your_cases", lang), *(describe(c, lang) for c in cases[:5])]
        dispatcher.utter_message(text="\n".join(lines))
        return []
