"""How a form reads the citizen's message before taking it for an answer: a command to the
form (stop, pause, a person), a change of an earlier answer, a question or another request
(which Rasa's rules answer), or small talk."""

from __future__ import annotations

import re
from datetime import date

from actions.forms.turn import Turn
from actions.validators.dates import AmbiguousDate, DateError, parse_date
from common.vocabulary import is_cancel, wants_person

PAUSE = re.compile(
    r"^\s*(pause|save (it|this|my progress|for later|draft|my answers)|finish later|"
    r"continue later|(i'?ll|let me) (finish|continue|do) (this|it|the rest) later|later)\s*[.!]*$"
    r"|^\s*(暂停|先保存|保存草稿|保存一下|先存着|等会儿?再填|稍后再填|回头再填|晚点再继续|先暂停一下)"
    r".{0,6}$",
    re.IGNORECASE,
)
CHANGE = re.compile(
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
CONTINUE = re.compile(
    r"^\s*(continue|go on|carry on|resume|继续|接着填|接着办|继续填)\s*[.!。！]*\s*$", re.IGNORECASE
)
CORRECTION = re.compile(r"错|不对|改|wrong|mistake|typo|incorrect|not right|change", re.I)
CASE_REF = re.compile(r"\bRC-\d{4}-\d{6}\b", re.IGNORECASE)
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


def sure(turn: Turn, intent: str) -> bool:
    return turn.intent == intent and turn.confidence >= SURE and len(turn.text) <= 60


def command(text: str, turn: Turn) -> str | None:
    """The form's status when the message tells the form to stop, pause or hand over."""
    if is_cancel(text) or sure(turn, "cancel"):
        return "cancelled"
    if PAUSE.match(text) or sure(turn, "pause"):
        return "paused"
    if wants_person(text) or sure(turn, "request_human"):
        return "handoff"
    return None


def not_an_answer(turn: Turn, free_text: bool = False) -> bool:
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
