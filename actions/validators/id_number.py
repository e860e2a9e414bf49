"""The Chinese resident ID number (GB 11643-1999): 17 digits and a check character."""

from __future__ import annotations

import re
from datetime import date

from actions.validators.result import Context, Invalid, Params, Result, Valid, number_in

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
# First two digits: the province-level region (GB/T 2260).
PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 "
    "64 65 71 81 82 83 91".split()
)
_CANDIDATE = re.compile(r"(?<!\d)\d{17}[\dXx](?![\dXx])")


def check_character(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def birth_date(number: str) -> date | None:
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def validate_id_number(text: str, params: Params, ctx: Context) -> Result:
    """params: date_of_birth_field (must agree with it), min_age (years)."""
    found = number_in(text, r"\d[\d\s-]*[\dXx]", 6)
    number = re.sub(r"[\s-]", "", found.strip()).upper()
    if not re.fullmatch(r"[\dX]+", number):
        return Invalid("id_characters")
    if len(number) != 18:
        return Invalid("id_length", {"count": len(number)})
    if not number[:17].isdigit():
        return Invalid("id_characters")
    if number[:2] not in PROVINCES:
        return Invalid("id_region")
    born = birth_date(number)
    if born is None or born.year < 1880 or born > ctx.today:
        return Invalid("id_birth_date")
    if number[17] != check_character(number[:17]):
        return Invalid("id_checksum")
    other = params.get("date_of_birth_field")
    dob = ctx.answers.get(other) if other else None
    if isinstance(dob, str) and dob != born.isoformat():
        return Invalid("id_mismatch_dob", {"dob": dob})
    min_age = params.get("min_age")
    if min_age is not None:
        age = (
            ctx.today.year - born.year - ((ctx.today.month, ctx.today.day) < (born.month, born.day))
        )
        if age < int(min_age):
            return Invalid("age_too_low", {"min_age": min_age, "age": age})
    return Valid(number)


def extract_id_number(text: str, params: Params, ctx: Context) -> Valid | None:
    for match in _CANDIDATE.finditer(text):
        result = validate_id_number(match.group(0), params, ctx)
        if isinstance(result, Valid):
            return result
    return None


def mask_id_number(number: str) -> str:
    return number[:3] + "*" * (len(number) - 7) + number[-4:] if len(number) > 7 else "***"
