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
from actions.forms.texts import TEXTS, say
from actions.validators import EXTRACTORS, VALIDATORS, Context, Valid
from actions.validators.choices import only_part_of_day, yes_no
from actions.validators.dates import AmbiguousDate, DateError, parse_date
from actions.validators.id_number import birth_date
from actions.validators.reasons import reason_text
from actions.validators.text import cannot_answer, is_skip
from common.vocabulary import is_cancel, is_restart, wants_person

STATUS_SLOT = "form_status"
PROGRESS_SLOT = "form_progress"
DRAFT_SLOT = "form_draft"
REQUESTED_SLOT = "requested_slot"
FAILURES_SLOT = "form_failures"  # {field slot: invalid answers in a row}

_PAUSE = re.compile(
    r"^\s*(pause|save (it|this|my progress|for later|draft|my answers)|finish later|"
    r"continue later|(i'?ll|let me) (finish|continue|do) (this|it|the rest) later|later)\s*[.!]*$"
    r"|^\s*(暂停|先保存|保存草稿|保存一下|先存着|等会儿?再填|稍后再填|回头再填|晚点再继续|先暂停一下)"
    r".{0,6}$",
    re.IGNORECASE,
)
_CHANGE = re.compile(
    r"^\s*(?:please\s+|i want to\s+|i'd like to\s+|can i\s+)?(?:change|edit|update|correct|fix|"
    r"modify|amend)\b(.*)$|^\s*(?:我要|我想|请|帮我)?(?:修改|更改|更正|改一下|改改|重新填|改)(.*)$",
    re.IGNORECASE,
)
_QUESTION = re.compile(
    r"[?？]\s*$|^\s*(how|what|where|when|why|who|which|can|could|do|does|is|are|will|should|"
    r"may|am i)\b|(怎么|如何|什么|哪里|哪儿|多少|为什么|能不能|可不可以|是否|吗|呢)[？?。]?\s*$"
    r"|多少钱|怎么办|怎么弄|怎么样|要多久|多长时间",
    re.IGNORECASE,
)
# Small talk the NLU may be sure of; only taken as such when it reads like it ('bye' yes,
# '31/12/2026' no: the NLU has never seen a date and guesses).
_SMALL_TALK_INTENTS = frozenset({"greet", "goodbye", "thanks"})
_SMALL_TALK = re.compile(
    r"^\s*(hi|hello|hey|good (morning|afternoon|evening)|bye|goodbye|see you|thanks?|"
    r"thank you( very much| so much)?|cheers|你好|您好|嗨|早上好|下午好|晚上好|再见|拜拜|谢谢|"
    r"多谢|谢谢你|谢谢您|感谢)[\s,.!。！，~]*(you|a lot|much)?[\s.!。！]*$",
    re.IGNORECASE,
)
_CONTINUE = re.compile(
    r"^\s*(continue|go on|carry on|resume|继续|接着填|接着办|继续填)\s*[.!。！]*\s*$", re.IGNORECASE
)
_CORRECTION = re.compile(r"错|不对|改|wrong|mistake|typo|incorrect|not right|change", re.I)
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
        "chitchat",
    }
)
SURE = 0.9
# Intents a general rule answers while a form waits. A message rejected with any other
# intent (e.g. a form's own start intent) would leave Rasa with no rule but its fallback.
_RULED = OTHER_INTENTS | {
    "ask_question",
    "nlu_fallback",
    "request_human",
    "cancel",
    "affirm",
    "deny",
    "resume",
    "pause",
}
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
    _settle_conditions(spec, current, out)
    missing = [f for f in spec.fields if current.get(f.slot) is None]
    following = changing or (missing[0].slot if missing else CONFIRM_SLOT)
    out.slots[REQUESTED_SLOT] = following
    out.slots[PROGRESS_SLOT] = progress(spec, following, turn.lang, current)
    if (
        not isinstance(current.get(DRAFT_SLOT), dict)
        or current[DRAFT_SLOT].get("form") != spec.name
    ):
        out.slots[DRAFT_SLOT] = {"form": spec.name, "id": uuid.uuid4().hex}
    return out


def _settle_conditions(spec: FormSpec, current: dict[str, Any], out: Outcome) -> None:
    """A field asked only in some cases: "" (answered, nothing to ask) when it is not needed,
    asked again when it becomes needed."""
    for f in spec.fields:
        if f.ask_if is None:
            continue
        if not f.needed(current) and current.get(f.slot) is None:
            _set(current, out, f.slot, "")
        elif f.needed(current) and current.get(f.slot) == "" and not f.optional:
            _set(current, out, f.slot, None)


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
            _fill_from_id_number(spec, current, f, turn, out)


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
    """The citizen's message while the form waits for `requested` (a field's slot, or the
    summary's confirmation): not for the form (start over, a case reference: the rules answer
    it), a command to the form (stop, pause, a person), a change of an earlier answer, or the
    answer itself."""
    text = turn.text.strip()
    if is_restart(text):
        out.reject = True
        return
    command = _command(text, turn)
    if command is not None:
        _end(spec, current, out, command, clear=command == "cancelled")
        return
    if _CASE_REF.search(text):
        out.reject = True
        return
    if _CONTINUE.match(text):  # already in a form: carry on with it
        out.messages.append(Message(say("carrying_on", turn.lang, title=spec.title[turn.lang])))
        out.slots[REQUESTED_SLOT] = requested
        return
    if _changing(spec, current, requested, text, turn, out):
        return
    if requested == CONFIRM_SLOT:
        _handle_confirm(spec, current, turn, out)
        return
    target = spec.field(requested)
    if target is None:
        out.reject = True
        return
    _answer(spec, current, target, text, turn, out)


def _command(text: str, turn: Turn) -> str | None:
    """The form's status when the message tells the form to stop, pause or hand over."""
    if is_cancel(text) or _sure(turn, "cancel"):
        return "cancelled"
    if _PAUSE.match(text) or _sure(turn, "pause"):
        return "paused"
    if wants_person(text) or _sure(turn, "request_human"):
        return "handoff"
    return None


def _changing(
    spec: FormSpec, current: dict[str, Any], requested: str, text: str, turn: Turn, out: Outcome
) -> bool:
    """'change my phone to ...' (or, at the summary, choosing what to change): handled here
    when it names a field, or asks which one at the summary. False: not a change."""
    change = _CHANGE.match(text)
    at_summary = requested == CONFIRM_SLOT
    choosing = at_summary and current.get(STATUS_SLOT) == "choosing"
    if at_summary and not change:
        named = _field_named(spec, text) if _CORRECTION.search(text) else None
        named = named or _field_with_value(spec, current, text)
        if named is not None:  # '宝宝名字写错了，要改', or the value itself: '张小明'
            _change(spec, current, named, "", turn, out)
            return True
    if not (change or choosing):
        return False
    rest = (change.group(1) or change.group(2) or "") if change else text
    target = _field_named(spec, rest)
    if target is not None and (at_summary or len(text) <= 40):
        _change(spec, current, target, rest, turn, out)
        return True
    if at_summary and (change or (_field_named(spec, text) is None and yes_no(text) is None)):
        _set(current, out, STATUS_SLOT, "choosing")
        buttons = tuple(change_buttons(spec, turn.lang, current))
        out.messages.append(Message(say("which_change", turn.lang), buttons))
        out.slots[REQUESTED_SLOT] = requested
        return True
    return False


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
            Message(say("which_change", turn.lang), tuple(change_buttons(spec, turn.lang, current)))
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
    if turn.intent is not None and turn.intent not in _RULED:
        return False
    if _QUESTION.search(turn.text):
        return True
    if free_text or turn.intent not in OTHER_INTENTS or turn.confidence < SURE:
        return False
    if turn.intent in _SMALL_TALK_INTENTS:
        return bool(_SMALL_TALK.match(turn.text))
    return not _looks_like_data(turn.text, turn.today)


def _looks_like_data(text: str, today: date) -> bool:
    """Digits, a date or a part of the day: an attempt at an answer, whatever the NLU says."""
    if any(c.isdigit() for c in text) or re.search(
        r"上午|下午|中午|晚上|早上|morning|afternoon|evening|\b[ap]m\b", text, re.IGNORECASE
    ):
        return True
    try:
        return parse_date(text, today) is not None
    except (DateError, AmbiguousDate):
        return True


def _answer(
    spec: FormSpec, current: dict[str, Any], target: FieldSpec, text: str, turn: Turn, out: Outcome
) -> None:
    if target.optional and is_skip(text) and target.validator != "photo":
        _set(current, out, target.slot, "")
        _failed(current, out, target, reset=True)
        return
    if target.params.get("by_part_of_day") and only_part_of_day(text):
        return  # 'afternoon': the question comes again with the afternoon slots only
    result = VALIDATORS[target.validator](text, target.params, _context(spec, current, turn))
    if isinstance(result, Valid):
        if target.validator in FREE_TEXT and _not_an_answer(turn, free_text=True):
            out.reject = True  # a question, not a description: the knowledge base answers it
        else:
            _set(current, out, target.slot, result.value)
            _failed(current, out, target, reset=True)
            shown = display(target, result.value, turn.lang)
            out.accepted = (target.label[turn.lang], shown)
            _fill_from_id_number(spec, current, target, turn, out)
        return
    shared = turn.metadata.get("photo") or turn.metadata.get("location")
    if _not_an_answer(turn) and not shared and not cannot_answer(text):
        out.reject = True
        return
    out.messages.append(Message(reason_text(result.reason, turn.lang, result.details)))
    _set(current, out, target.slot, None)
    if _failed(current, out, target) >= 2 or cannot_answer(text):
        out.messages.append(_help(target, turn.lang))


def _failed(current: dict[str, Any], out: Outcome, target: FieldSpec, reset: bool = False) -> int:
    """Counts invalid answers to one question in a row; returns the count."""
    counts = current.get(FAILURES_SLOT)
    counts = dict(counts) if isinstance(counts, dict) else {}
    if reset:
        if counts:
            _set(current, out, FAILURES_SLOT, None)
        return 0
    counts = {target.slot: int(counts.get(target.slot) or 0) + 1}
    _set(current, out, FAILURES_SLOT, counts)
    return int(counts[target.slot])


def _help(target: FieldSpec, lang: str) -> Message:
    """After a second wrong answer: an example, what to do without it, and a person."""
    key = f"help_{target.validator}" if f"help_{target.validator}" in TEXTS else "help_text"
    person = {"title": say("talk_to_person", lang), "payload": "/request_human"}
    return Message(say(key, lang, label=target.label[lang]), (person,))


def _fill_from_id_number(
    spec: FormSpec, current: dict[str, Any], target: FieldSpec, turn: Turn, out: Outcome
) -> None:
    """An ID number holds the date of birth: never ask for it afterwards."""
    if target.validator != "id_number":
        return
    for f in spec.fields:
        if f.params.get("id_number_field") != target.name or current.get(f.slot) is not None:
            continue
        born = birth_date(str(current[target.slot]))
        if born is None:
            continue
        result = VALIDATORS[f.validator](born.isoformat(), f.params, _context(spec, current, turn))
        if isinstance(result, Valid):
            _set(current, out, f.slot, result.value)


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


def _field_with_value(spec: FormSpec, current: Mapping[str, Any], text: str) -> FieldSpec | None:
    """The field whose current answer is this text ('张小明' at the summary)."""
    plain = text.strip().casefold()
    if len(plain) < 2:
        return None
    found = [
        f
        for f in spec.fields
        if isinstance(current.get(f.slot), str) and current[f.slot].casefold() == plain
    ]
    return found[0] if len(found) == 1 else None


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
