"""Dates as citizens write them: ISO, Chinese, English, and relative ('tomorrow', '下周一').

`parse_date` is pure: 'today' is always given, never read from the clock.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from actions.validators.result import Context, Invalid, Params, Result, Valid
from common.errors import InvalidInput

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_WEEKDAYS_EN = {
    name: i
    for i, name in enumerate(
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    )
}
_WEEKDAYS_EN.update({name[:3]: i for name, i in list(_WEEKDAYS_EN.items())})
_WEEKDAYS_ZH = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 5}
_MONTHS = {
    name: i + 1
    for i, name in enumerate(
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        )
    )
}
_MONTHS.update({name[:3]: i for name, i in list(_MONTHS.items())})
_MONTHS["sept"] = 9
_RELATIVE_EN = {
    "today": 0,
    "tomorrow": 1,
    "yesterday": -1,
    "day after tomorrow": 2,
    "the day after tomorrow": 2,
    "day before yesterday": -2,
}
_RELATIVE_ZH = {
    "今天": 0,
    "今日": 0,
    "明天": 1,
    "明日": 1,
    "后天": 2,
    "大后天": 3,
    "昨天": -1,
    "前天": -2,
}
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))


_DAY_MONTH_YEAR = re.compile(r"(?<![\d/.-])(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?![\d/.-])")


class AmbiguousDate(InvalidInput, ValueError):
    """03/05/2026: the 3rd of May or the 5th of March."""


class DateError(InvalidInput, ValueError):
    """A date that does not exist (30 February); `details` say which part is wrong."""

    def __init__(self, year: int, month: int, day: int) -> None:
        super().__init__(f"{year}-{month}-{day}")
        self.year, self.month, self.day = year, month, day


def cn_number(text: str) -> int | None:
    """'5', '05', '五', '十二', '二十五', '三十一' -> int; None when not a number."""
    if text.isdigit():
        return int(text)
    if not text or any(c not in _CN_DIGITS and c != "十" for c in text):
        return None
    if "十" not in text:
        if len(text) == 4:  # a year written digit by digit: 二〇二六
            return int("".join(str(_CN_DIGITS[c]) for c in text))
        return _CN_DIGITS[text] if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    return (_CN_DIGITS.get(tens, 0) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)


def _make(year: int, month: int, day: int) -> date:
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        raise DateError(year, month, day)
    if day > calendar.monthrange(year, month)[1]:
        raise DateError(year, month, day)
    return date(year, month, day)


def _day_month_year(first: int, second: int, year: int) -> date:
    """31/12/2026 (day first, as written here) or 12/31/2026: only read when one of the two
    numbers cannot be a month, or both are the same; otherwise AmbiguousDate."""
    if first > 12 and second <= 12:
        return _make(year, second, first)
    if second > 12 and first <= 12:
        return _make(year, first, second)
    if first == second or first > 12:
        return _make(year, second, first)
    raise AmbiguousDate(f"{first}/{second}/{year}")


def _weekday(today: date, weekday: int, next_week: bool) -> date:
    if next_week:  # 'next Monday' / '下周一': that day in the coming calendar week
        monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
        return monday + timedelta(days=weekday)
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def parse_date(text: str, today: date) -> date | None:
    """The date meant by `text`, or None if there is none. Raises DateError for 30 February."""
    t = " ".join(text.strip().lower().replace("，", " ").replace(",", " ").split())
    t = t.rstrip(".。!！")
    for word, days in sorted(_RELATIVE_EN.items(), key=lambda kv: -len(kv[0])):
        if re.search(rf"\b{word}\b", t):
            return today + timedelta(days=days)
    for word, days in sorted(_RELATIVE_ZH.items(), key=lambda kv: -len(kv[0])):
        if word in t:
            return today + timedelta(days=days)
    if m := re.search(r"\bin (\d{1,3}) days?\b", t):
        return today + timedelta(days=int(m.group(1)))
    if m := re.search(r"(\d{1,3}|[一二三四五六七八九十]+)\s*天(以)?后", t):
        n = cn_number(m.group(1))
        return today + timedelta(days=n) if n is not None else None
    if m := re.search(
        r"\b(next|this|coming)?\s*(?:week\s+)?(" + "|".join(_WEEKDAYS_EN) + r")\b", t
    ):
        return _weekday(today, _WEEKDAYS_EN[m.group(2)], m.group(1) == "next")
    if m := re.search(r"(下|这|本)?(?:个)?(?:周|星期|礼拜)([一二三四五六日天])", t):
        return _weekday(today, _WEEKDAYS_ZH[m.group(2)], m.group(1) == "下")
    return _parse_absolute(t, today)


def _parse_absolute(t: str, today: date) -> date | None:
    if m := re.search(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)", t):
        return _make(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if m := _DAY_MONTH_YEAR.search(t):
        return _day_month_year(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if m := re.search(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)", t):
        return _make(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    cn = r"(\d{1,2}|[一二三四五六七八九十]{1,3})"
    if m := re.search(
        r"(\d{4}|[零〇一二三四五六七八九]{4})\s*年\s*" + cn + r"\s*月\s*" + cn + r"\s*[日号]?", t
    ):
        year, month, day = (cn_number(g) for g in m.groups())
        if year is not None and month is not None and day is not None:
            return _make(year, month, day)
    if m := re.search(cn + r"\s*月\s*" + cn + r"\s*[日号]", t):
        month, day = (cn_number(g) for g in m.groups())
        if month is not None and day is not None:
            return _make(today.year, month, day)
    months = _MONTH_NAMES
    if m := re.search(
        rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({months})\b\.?(?:\s+(\d{{4}}))?", t
    ):
        year = int(m.group(3)) if m.group(3) else today.year
        return _make(year, _MONTHS[m.group(2)], int(m.group(1)))
    if m := re.search(rf"\b({months})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:\s+(\d{{4}}))?", t):
        year = int(m.group(3)) if m.group(3) else today.year
        return _make(year, _MONTHS[m.group(1)], int(m.group(2)))
    return None


def _years_between(earlier: date, later: date) -> int:
    return later.year - earlier.year - ((later.month, later.day) < (earlier.month, earlier.day))


def validate_date(text: str, params: Params, ctx: Context) -> Result:
    """A date within the limits of `params`.

    params: min_days / max_days (days from today, may be negative), min_age / max_age (years,
    for dates of birth), closed_weekdays (0 = Monday), id_number_field (must agree with it).
    """
    try:
        day = parse_date(text, ctx.today)
    except AmbiguousDate:
        return Invalid("date_ambiguous")
    except DateError as exc:
        return Invalid("date_not_exist", {"year": exc.year, "month": exc.month, "day": exc.day})
    if day is None:
        return Invalid("date_unreadable")
    return check_date(day, params, ctx)


def check_date(day: date, params: Params, ctx: Context) -> Result:
    offset = (day - ctx.today).days
    min_days, max_days = params.get("min_days"), params.get("max_days")
    if min_days is not None and offset < int(min_days):
        earliest = ctx.today + timedelta(days=int(min_days))
        key = "date_in_past" if int(min_days) >= 0 else "date_too_early"
        return Invalid(key, {"earliest": earliest.isoformat()})
    if max_days is not None and offset > int(max_days):
        latest = ctx.today + timedelta(days=int(max_days))
        key = "date_in_future" if int(max_days) <= 0 else "date_too_far"
        return Invalid(key, {"latest": latest.isoformat(), "days": max_days})
    age = _years_between(day, ctx.today)
    if params.get("min_age") is not None and age < int(params["min_age"]):
        return Invalid("age_too_low", {"min_age": params["min_age"], "age": age})
    if params.get("max_age") is not None and age > int(params["max_age"]):
        return Invalid("age_too_high", {"max_age": params["max_age"]})
    closed = params.get("closed_weekdays") or ()
    if day.weekday() in closed:
        return Invalid("date_closed", {"date": day.isoformat()})
    other = params.get("id_number_field")
    id_number = ctx.answers.get(other) if other else None
    if (
        isinstance(id_number, str)
        and len(id_number) == 18
        and id_number[6:14] != day.strftime("%Y%m%d")
    ):
        return Invalid("dob_mismatch_id")
    return Valid(day.isoformat())


def extract_date(text: str, params: Params, ctx: Context) -> Valid | None:
    """A date inside a longer message ('book an appointment for tomorrow')."""
    try:
        day = parse_date(text, ctx.today)
    except (DateError, AmbiguousDate):
        return None
    if day is None:
        return None
    result = check_date(day, params, ctx)
    return result if isinstance(result, Valid) else None
