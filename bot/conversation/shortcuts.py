"""Words and numbers the gateway understands itself, before Rasa: choosing a numbered option,
'0' for a person (simplified mode), 'repeat', 'more'."""

from __future__ import annotations

import re

from bot.simple_mode.rules import MORE_PAYLOAD
from common.vocabulary import PERSON_PAYLOAD

_REPEAT = re.compile(
    r"^\s*(repeat|repeat that|say (that|it) again|pardon"
    r"|重复|再说一遍|再说一次|没听清)\s*[.!?。！？]*\s*$",
    re.IGNORECASE,
)
_MORE = re.compile(r"^\s*(more|tell me more|更多|还有呢|继续说)\s*[.!?。！？]*\s*$", re.IGNORECASE)


_YES = re.compile(
    r"^\s*(yes|yeah|yep|y|right|correct|that'?s right|ok|okay|sure|"
    r"是|是的|对|对的|没错|好|好的|确认|正确)\s*[.!。！]*\s*$",
    re.IGNORECASE,
)
_NO = re.compile(
    r"^\s*(no|nope|n|wrong|not right|incorrect|不是|不对|错了|不|不正确)\s*[.!。！]*\s*$",
    re.IGNORECASE,
)
ANSWER_YES = "/answer_yes"
ANSWER_NO = "/answer_no"


def yes_or_no(text: str) -> bool | None:
    """True / False for a clear yes / no (typed or the confirmation buttons), else None."""
    if text == ANSWER_YES or _YES.match(text):
        return True
    if text == ANSWER_NO or _NO.match(text):
        return False
    return None


def is_repeat(text: str) -> bool:
    return bool(_REPEAT.match(text))


def is_more(text: str) -> bool:
    return text == MORE_PAYLOAD or bool(_MORE.match(text))


def choose(text: str, choices: tuple[str, ...], simple_mode: bool) -> str:
    """A typed number becomes the payload of that numbered choice; '0' a person in simple mode."""
    stripped = text.strip().rstrip(".。")
    if simple_mode and stripped in ("0", "０"):
        return PERSON_PAYLOAD
    if stripped.isdigit() and 1 <= int(stripped) <= len(choices):
        return choices[int(stripped) - 1]
    return text
