"""Chinese phone numbers: mobiles (1[3-9] + 9 digits) and landlines (area code + number)."""

from __future__ import annotations

import re

from actions.validators.result import Context, Invalid, Params, Result, Valid, number_in

_SEPARATORS = re.compile(r"[\s\-()（）.]")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0[1-9]\d{1,2}[2-9]\d{6,7}")  # area code 010..0999 + 7-8 digits
_CANDIDATE = re.compile(
    r"(?<![\dXx])(?:\+?86[\s-]?)?(?:\(?0\d{2,3}\)?[\s-]?)?\d[\d\s-]{5,13}\d(?![\dXx])"
)


def normalise(text: str) -> str:
    digits = _SEPARATORS.sub("", text.strip())
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) >= 10:
            return digits[len(prefix) :]
    return digits


def validate_phone(text: str, params: Params, ctx: Context) -> Result:
    """params: mobile_only (bool). Values are stored as digits only."""
    number = normalise(number_in(text, r"\+?\d[\d\s\-()（）]*\d", 3))
    if not number.isdigit():
        return Invalid("phone_not_digits")
    if number.startswith("1"):
        if len(number) != 11:
            return Invalid("mobile_length", {"count": len(number)})
        if not _MOBILE.fullmatch(number):
            return Invalid("mobile_prefix")
        return Valid(number)
    if params.get("mobile_only"):
        return Invalid("mobile_required")
    if number.startswith("0"):
        if _LANDLINE.fullmatch(number):
            return Valid(number)
        return Invalid("landline_format")
    return Invalid("phone_format")


def extract_phone(text: str, params: Params, ctx: Context) -> Valid | None:
    for match in _CANDIDATE.finditer(text):
        result = validate_phone(match.group(0), params, ctx)
        if isinstance(result, Valid):
            return result
    return None


def mask_phone(number: str) -> str:
    return number[:3] + "*" * max(0, len(number) - 7) + number[-4:] if len(number) > 7 else "***"
