"""Choices (by number, by label or by a word of it) and yes/no, in English and Chinese."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from actions.validators.dates import cn_number
from actions.validators.result import Context, Invalid, Params, Result, Valid

YES = frozenset(
    "yes y yeah yep yup sure ok okay correct right confirm confirmed true 是 是的 对 对的 好 好的 "
    "嗯 确认 确定 正确 没错 可以 行 有".split()
)
NO = frozenset(
    "no n nope nah not false wrong incorrect 不 不是 否 没有 不对 不要 不用 无 错 错了".split()
)
_PUNCT = re.compile(r"[\s.,!?;:。，！？；：、\"'“”‘’]+")
_NUMBER = re.compile(
    r"^(?:#|no\.?\s*|number\s+|option\s+|第|选)?\s*(\d{1,2}|[一二三四五六七八九十]{1,2})"
    r"\s*(?:个|项|号)?$"
)
_TIME = re.compile(
    r"(上午|下午|晚上)?\s*(\d{1,2})\s*(?:[:：]\s*(\d{2})|点\s*(半|\d{1,2}分?)?)"
    r"\s*(am|pm)?",
    re.IGNORECASE,
)
_TIME_AMPM = re.compile(r"(?<![:：\d])(\d{1,2})\s*(am|pm)\b", re.IGNORECASE)


_PART_OF_DAY = re.compile(
    r"(上午|早上|上半天|morning|\bam\b)|(下午|中午|下半天|afternoon|\bpm\b)", re.IGNORECASE
)
_ONLY_PART_OF_DAY = re.compile(
    r"^\s*(in the\s+)?(上午|早上|下午|morning|afternoon)(吧|的|时间|please)?\s*[.!。！]?\s*$",
    re.IGNORECASE,
)


def part_of_day(texts: Sequence[str]) -> str | None:
    """'morning' or 'afternoon' from the latest message that says which (but not a time of
    day like '10am' or '下午3点', which names the slot itself)."""
    for text in reversed(texts):
        if _time_of_day(text) is not None:
            return None
        found = _PART_OF_DAY.findall(text)
        if found:
            morning, _ = found[-1]
            return "morning" if morning else "afternoon"
    return None


def only_part_of_day(text: str) -> bool:
    """'下午' / 'afternoon' alone: which half of the day, not yet a slot."""
    return bool(_ONLY_PART_OF_DAY.match(text))


def _plain(text: str) -> str:
    return _PUNCT.sub(" ", text.casefold()).strip()


def yes_no(text: str) -> bool | None:
    plain = _plain(text)
    if plain in YES or (plain.split(" ")[0] in YES and len(plain) <= 20):
        return True
    if plain in NO or (plain.split(" ")[0] in NO and len(plain) <= 20):
        return False
    return None


def validate_yes_no(text: str, params: Params, ctx: Context) -> Result:
    answer = yes_no(text)
    return Invalid("yes_no") if answer is None else Valid(answer)


def _time_of_day(text: str) -> str | None:
    if m := _TIME_AMPM.search(text):
        hour = int(m.group(1)) % 12 + (12 if m.group(2).lower() == "pm" else 0)
        return f"{hour:02d}:00"
    m = _TIME.search(text)
    if not m:
        return None
    hour = int(m.group(2))
    minute = 0
    if m.group(3):
        minute = int(m.group(3))
    elif m.group(4):
        minute = 30 if m.group(4) == "半" else int(m.group(4).rstrip("分"))
    if (m.group(1) in ("下午", "晚上") or (m.group(5) or "").lower() == "pm") and hour < 12:
        hour += 12
    return f"{hour:02d}:{minute:02d}" if hour < 24 and minute < 60 else None


def option_label(option: Mapping[str, Any], lang: str) -> str:
    return str(option.get(lang) or option.get("en") or option["id"])


def match_option(text: str, options: Sequence[Mapping[str, Any]]) -> Result:
    plain = _plain(text)
    if m := _NUMBER.match(plain):
        number = cn_number(m.group(1))
        if number is not None and 1 <= number <= len(options):
            return Valid(options[number - 1]["id"])
        return Invalid("choice_number", {"count": len(options)})
    for option in options:
        names = [option["id"], option.get("en", ""), option.get("zh", "")]
        if plain in (_plain(str(n)) for n in names if n):
            return Valid(option["id"])
    when = _time_of_day(text)
    if when is not None:
        timed = [o for o in options if str(o["id"]) == when]
        if timed:
            return Valid(timed[0]["id"])
    scored: list[tuple[int, str]] = []
    for option in options:
        words = [str(w) for w in option.get("aliases") or ()] + [str(option["id"])]
        best = max((len(w) for w in words if w and _plain(w) and _plain(w) in plain), default=0)
        if best:
            scored.append((best, str(option["id"])))
    if not scored:
        return Invalid("choice_unknown", {"count": len(options)})
    scored.sort(reverse=True)
    if len(scored) > 1 and scored[0][0] == scored[1][0]:
        return Invalid("choice_ambiguous", {"count": len(options)})
    return Valid(scored[0][1])


def validate_choice(text: str, params: Params, ctx: Context) -> Result:
    """params: options [{id, en, zh, aliases}]. The option's id is stored."""
    return match_option(text, params["options"])


def extract_choice(text: str, params: Params, ctx: Context) -> Valid | None:
    """Only a word of an option inside a longer message ('report a pothole'), never a number."""
    plain = _plain(text)
    if _NUMBER.match(plain):
        return None
    result = match_option(text, params["options"])
    return result if isinstance(result, Valid) else None
