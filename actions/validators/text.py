"""Free text and simple formats: text with length limits, names, email, postcode, bank
account, a location (text or shared) and a photo (or 'skip')."""

from __future__ import annotations

import re
from typing import Any

from actions.validators.result import Context, Invalid, Params, Result, Valid

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_NAME = re.compile(r"[A-Za-z\u00C0-\u024F\u3400-\u9FFF ·.'’-]+")
SKIP_WORDS = frozenset(
    {
        "skip",
        "skip it",
        "no",
        "none",
        "nothing",
        "no photo",
        "not now",
        "n/a",
        "跳过",
        "跳过吧",
        "没有",
        "没有照片",
        "不用",
        "无",
        "不需要",
        "略过",
    }
)


def is_skip(text: str) -> bool:
    return re.sub(r"[\s.!。！]+$", "", text.strip().casefold()) in SKIP_WORDS


def validate_text(text: str, params: Params, ctx: Context) -> Result:
    """params: min, max (characters)."""
    value = " ".join(text.split())
    low, high = int(params.get("min", 1)), int(params.get("max", 500))
    if len(value) < low:
        return Invalid("text_too_short", {"min": low})
    if len(value) > high:
        return Invalid("text_too_long", {"max": high, "count": len(value)})
    return Valid(value)


def validate_name(text: str, params: Params, ctx: Context) -> Result:
    """A person's name: letters (any script), spaces, dots and hyphens; params: min, max."""
    value = " ".join(text.split())
    if any(c.isdigit() for c in value):
        return Invalid("name_digits")
    result = validate_text(value, {"min": params.get("min", 2), "max": params.get("max", 50)}, ctx)
    if isinstance(result, Valid) and not _NAME.fullmatch(value):
        return Invalid("name_characters")
    return result


def validate_email(text: str, params: Params, ctx: Context) -> Result:
    value = text.strip().strip("<>")
    if len(value) > 254 or "@" not in value:
        return Invalid("email_format")
    if not _EMAIL.fullmatch(value):
        return Invalid("email_format")
    return Valid(value.lower())


def extract_email(text: str, params: Params, ctx: Context) -> Valid | None:
    match = _EMAIL.search(text)
    return Valid(match.group(0).lower()) if match else None


def validate_postcode(text: str, params: Params, ctx: Context) -> Result:
    value = re.sub(r"\s", "", text)
    if not value.isdigit() or len(value) != 6:
        return Invalid("postcode_format")
    if value[0] == "9":
        return Invalid("postcode_format")
    return Valid(value)


def validate_bank_account(text: str, params: Params, ctx: Context) -> Result:
    """A bank card or account number: 12 to 19 digits (spaces allowed)."""
    value = re.sub(r"[\s-]", "", text)
    if not value.isdigit():
        return Invalid("bank_digits")
    if not 12 <= len(value) <= 19:
        return Invalid("bank_length", {"count": len(value)})
    return Valid(value)


def _shared_location(metadata: Any) -> dict[str, float] | None:
    location = metadata.get("location") if isinstance(metadata, dict) else None
    if not isinstance(location, dict):
        return None
    try:
        lat, lon = float(location["lat"]), float(location["lon"])
    except (KeyError, TypeError, ValueError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return {"lat": round(lat, 6), "lon": round(lon, 6)}


def validate_location(text: str, params: Params, ctx: Context) -> Result:
    """A shared location (message metadata {"location": {"lat", "lon"}}) or a description."""
    shared = _shared_location(dict(ctx.metadata))
    if shared is not None:
        return Valid(shared)
    return validate_text(text, {"min": params.get("min", 4), "max": params.get("max", 200)}, ctx)


def extract_location(text: str, params: Params, ctx: Context) -> Valid | None:
    shared = _shared_location(dict(ctx.metadata))
    return Valid(shared) if shared is not None else None


def validate_photo(text: str, params: Params, ctx: Context) -> Result:
    """A photo (metadata {"photo": {"file_id"| "url": ...}}) or a skip word."""
    photo = ctx.metadata.get("photo")
    if isinstance(photo, dict):
        kept = {k: str(photo[k])[:500] for k in ("file_id", "url") if photo.get(k)}
        if kept:
            return Valid(kept)
    if is_skip(text):
        return Valid("")
    return Invalid("photo_expected")


def extract_photo(text: str, params: Params, ctx: Context) -> Valid | None:
    result = validate_photo("", params, ctx)
    return result if isinstance(result, Valid) and result.value else None
