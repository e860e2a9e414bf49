"""One turn of a form, decided from data: what the citizen said, the answers so far and the
form's rules -> slots to set, messages to say, or 'not an answer, let the rules handle it'.

Pure: no Rasa, no I/O; the Rasa action in actions/forms/actions.py only translates.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from actions.forms.spec import CONFIRM_SLOT, FieldSpec, FormSpec
from actions.forms.summary import change_buttons, display, progress
from actions.forms.texts import say
from actions.validators import EXTRACTORS, VALIDATORS, Context, Valid
from actions.validators.choices import yes_no
from actions.validators.reasons import reason_text
from actions.validators.text import is_skip

STATUS_SLOT = "form_status"
PROGRESS_SLOT = "form_progress"
DRAFT_SLOT = "form_draft"
REQUESTED_SLOT = "requested_slot"

_CANCEL = re.compile(
    r"^\s*(please\s+)?(cancel|stop|quit|exit|abort|never ?mind|forget it|i give up)"
    r"(\s+(it|this|that|the (form|application|report|booking)|please))*\s*[.!]*\s*$"
    r"|^\s*(取消|不办了|算了|退出|不填了|停止|放弃|别填了|不弄了|终止)(申请|办理|填写|吧|了)*\s*[。！!]*\s*$",
    re.IGNORECASE,
)
_PAUSE = re.compile(
    r"^\s*(pause|save (it|this|my progress|for later|draft|my answers)|finish later|"
    r"continue later|(i'?ll|let me) (finish|continue|do) (this|it|the rest) later|later)\s*[.!]*$"
    r"|^\s*(暂停|先保存|保存草稿|保存一下|先存着|等会儿?再填|稍后再填|回头再填|晚点再继续|先暂停一下)"
    r".{0,6}$",
    re.IGNORECASE,
)
_PERSON = re.compile(
    r"^\s*(0|human|person|agent|operator|talk to (a )?(real )?(person|human|someone)|"
    r"人工|转人工|人工服务|真人|找人工)\s*[.!。！]*$",
    re.IGNORECASE,
)
_CHANGE = re.compile(
    r"^\s*(?:please\s+|i want to\s+|i'd like to\s+|can i\s+)?(?:change|edit|update|correct|fix|"
    r"modify|amend)\b(.*)$|^\s*(?:我要|我想|请|帮我)?(?:修改|更改|更正|改一下|改改|重新填|改)(.*)$",
    re.IGNORECASE,
)
_QUESTION = re.compile(
    r"[?？]\s*$|^\s*(how|what|where|when|why|who|which|can|could|do|does|is|are|will|should|"
    r"may|am i)\b|(怎么|如何|什么|哪里|哪儿|多少|为什么|能不能|可不可以|是否|吗|呢)[？?。]?\s*$",
    re.IGNORECASE,
)
_CASE_REF = re.compile(r"\bRC-\d{4}-\d{6}\b", re.IGNORECASE)
# Intents that are not answers to a form question when the NLU is sure of them.
OTHER_INTENTS = frozenset(
    {
        "ask_question",
        "help",
        "switch_language",
        "simple_mode_on",
        "simple_mode_off",
        "start_over",
        "repeat",
        "check_case_status",
        "link_account",
        "greet",
        "goodbye",
        "thanks",
    }
)
SURE = 0.9
FREE_TEXT = frozenset({"text", "location", "name"})


@dataclass(frozen=True)
class Message:
    text: str
    buttons: tuple[Mapping[str, str], ...] = ()


@dataclass(frozen=True)
class Turn:
    """The citizen's message as the form sees it."""

    text: str
    fresh: bool  # a new citizen message (not a return after an interruption)
    lang: str
    today: date
    intent: str | None = None
    confidence: float = 0.0
    metadata: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class Outcome:
    slots: dict[str, Any] = field(default_factory=dict)
    messages: list[Message] = field(default_factory=list)
    reject: bool = False  # not for the form: Rasa's rules answer it, then the form resumes
    deactivate: bool = False
    # (field label, value as shown) of an answer just accepted: the gateway confirms it
    # before the next question in simplified mode
    accepted: tuple[str, str] | None = None


def decide(spec: FormSpec, slots: Mapping[str, Any], turn: Turn) -> Outcome:
    requested = slots.get(REQUESTED_SLOT)
    out = Outcome()
    current = dict(slots)
    if turn.fresh and (requested is None or requested not in (*spec.slots, CONFIRM_SLOT)):
        if any(slots.get(s) is not None for s in spec.slots):
            title = spec.title[turn.lang]
            out.messages.append(Message(say("welcome_back", turn.lang, title=title)))
        _set(current, out, STATUS_SLOT, None)
        _prefill(spec, current, turn, out)
    elif turn.fresh:
        _handle_answer(spec, current, str(requested), turn, out)
        if out.reject or out.deactivate:
            return out
    if current.get(STATUS_SLOT) == "confirmed":
        out.slots[REQUESTED_SLOT] = None
        out.deactivate = True
        return out
    changing = out.slots.get(REQUESTED_SLOT)
    missing = [f for f in spec.fields if current.get(f.slot) is None]
    following = changing or (missing[0].slot if missing else CONFIRM_SLOT)
    out.slots[REQUESTED_SLOT] = following
    out.slots[PROGRESS_SLOT] = progress(spec, following, turn.lang)
    if (
        not isinstance(current.get(DRAFT_SLOT), dict)
        or current[DRAFT_SLOT].get("form") != spec.name
    ):
        out.slots[DRAFT_SLOT] = {"form": spec.name, "id": uuid.uuid4().hex}
    return out


def _set(current: dict[str, Any], out: Outcome, slot: str, value: Any) -> None:
    current[slot] = value
    out.slots[slot] = value


def _context(spec: FormSpec, current: Mapping[str, Any], turn: Turn) -> Context:
    answers = {f.name: current.get(f.slot) for f in spec.fields if current.get(f.slot) is not None}
    return Context(today=turn.today, answers=answers, metadata=turn.metadata)


def _prefill(spec: FormSpec, current: dict[str, Any], turn: Turn, out: Outcome) -> None:
    """Runs the extractors over the activating message: never ask what was already said."""
    for f in spec.fields:
        if not f.prefill or current.get(f.slot) is not None:
            continue
        found = EXTRACTORS[f.validator](turn.text, f.params, _context(spec, current, turn))
        if found is not None:
            _set(current, out, f.slot, found.value)


def _sure(turn: Turn, intent: str) -> bool:
    return turn.intent == intent and turn.confidence >= SURE and len(turn.text) <= 60


def _end(spec: FormSpec, current: dict[str, Any], out: Outcome, status: str, clear: bool) -> None:
    if clear:
        for slot in (*spec.slots, CONFIRM_SLOT):
            _set(current, out, slot, None)
    _set(current, out, STATUS_SLOT, status)
    out.slots[REQUESTED_SLOT] = None
    out.deactivate = True


def _handle_answer(
    spec: FormSpec, current: dict[str, Any], requested: str, turn: Turn, out: Outcome
) -> None:
    text = turn.text.strip()
    if _CANCEL.match(text) or _sure(turn, "cancel"):
        return _end(spec, current, out, "cancelled", clear=True)
    if _PAUSE.match(text) or _sure(turn, "pause"):
        return _end(spec, current, out, "paused", clear=False)
    if _PERSON.match(text) or _sure(turn, "request_human"):
        return _end(spec, current, out, "handoff", clear=False)
    if _CASE_REF.search(text):
        out.reject = True
        return None
    change = _CHANGE.match(text)
    choosing = requested == CONFIRM_SLOT and current.get(STATUS_SLOT) == "choosing"
    at_summary = requested == CONFIRM_SLOT
    if change or choosing:
        rest = (change.group(1) or change.group(2) or "") if change else text
        target = _field_named(spec, rest)
        if target is not None and (at_summary or len(text) <= 40):
            return _change(spec, current, target, rest, turn, out)
        if at_summary and (change or (_field_named(spec, text) is None and yes_no(text) is None)):
            _set(current, out, STATUS_SLOT, "choosing")
            buttons = tuple(change_buttons(spec, turn.lang))
            out.messages.append(Message(say("which_change", turn.lang), buttons))
            out.slots[REQUESTED_SLOT] = requested
            return None
    if requested == CONFIRM_SLOT:
        return _handle_confirm(spec, current, turn, out)
    target = spec.field(requested)
    if target is None:
        out.reject = True
        return None
    _answer(spec, current, target, text, turn, out)
    return None


def _handle_confirm(spec: FormSpec, current: dict[str, Any], turn: Turn, out: Outcome) -> None:
    answer = yes_no(turn.text)
    if answer is None and turn.intent in ("affirm", "deny") and turn.confidence >= SURE:
        answer = turn.intent == "affirm"
    if answer is True:
        _set(current, out, CONFIRM_SLOT, True)
        _set(current, out, STATUS_SLOT, "confirmed")
    elif answer is False:
        _set(current, out, STATUS_SLOT, "choosing")
        out.messages.append(
            Message(say("which_change", turn.lang), tuple(change_buttons(spec, turn.lang)))
        )
        out.slots[REQUESTED_SLOT] = CONFIRM_SLOT
    elif _not_an_answer(turn):
        out.reject = True
    else:
        _set(current, out, STATUS_SLOT, None)
        out.messages.append(Message(say("summary_unclear", turn.lang)))


def _not_an_answer(turn: Turn, free_text: bool = False) -> bool:
    """A question or another request rather than an answer. Free text (a name, an address, a
    description) is only taken for a question when it reads like one: the NLU is trained on
    requests, not on addresses, and is sometimes sure of nonsense for them."""
    if _QUESTION.search(turn.text):
        return True
    return not free_text and turn.intent in OTHER_INTENTS and turn.confidence >= SURE


def _answer(
    spec: FormSpec, current: dict[str, Any], target: FieldSpec, text: str, turn: Turn, out: Outcome
) -> None:
    if target.optional and is_skip(text) and target.validator != "photo":
        _set(current, out, target.slot, "")
        return
    result = VALIDATORS[target.validator](text, target.params, _context(spec, current, turn))
    if isinstance(result, Valid):
        if target.validator in FREE_TEXT and _not_an_answer(turn, free_text=True):
            out.reject = True  # a question, not a description: the knowledge base answers it
        else:
            _set(current, out, target.slot, result.value)
            shown = display(target, result.value, turn.lang)
            out.accepted = (target.label[turn.lang], shown)
        return
    shared = turn.metadata.get("photo") or turn.metadata.get("location")
    if _not_an_answer(turn) and not shared:
        out.reject = True
        return
    out.messages.append(Message(reason_text(result.reason, turn.lang, result.details)))
    _set(current, out, target.slot, None)


def _field_named(spec: FormSpec, text: str) -> FieldSpec | None:
    plain = text.casefold()
    best: tuple[int, FieldSpec] | None = None
    for f in spec.fields:
        names = (*f.aliases, f.label["en"], f.label["zh"], f.name, f.name.replace("_", " "))
        for name in names:
            n = name.casefold()
            if n and n in plain and (best is None or len(n) > best[0]):
                best = (len(n), f)
    if best is None:
        number = re.fullmatch(r"\s*(\d{1,2})\s*", text)
        if number and 1 <= int(number.group(1)) <= len(spec.fields):
            return spec.fields[int(number.group(1)) - 1]
    return best[1] if best else None


def _change(
    spec: FormSpec, current: dict[str, Any], target: FieldSpec, rest: str, turn: Turn, out: Outcome
) -> None:
    """'change my phone to 13812345678' sets it; 'change phone' asks the question again."""
    _set(current, out, CONFIRM_SLOT, None)
    _set(current, out, STATUS_SLOT, None)
    new_value = re.split(r"\bto\b|为|成|改为|改成", rest, maxsplit=1)
    if len(new_value) == 2 and new_value[1].strip():
        result = VALIDATORS[target.validator](
            new_value[1].strip(), target.params, _context(spec, current, turn)
        )
        if isinstance(result, Valid):
            _set(current, out, target.slot, result.value)
            return
    _set(current, out, target.slot, None)
    out.slots[REQUESTED_SLOT] = target.slot
