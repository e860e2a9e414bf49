"""Free text and simple formats: text with length limits, names, email, postcode, bank
account, a location (text or shared) and a photo (or 'skip')."""

from __future__ import annotations

import re
from typing import Any

from actions.validators.result import Context, Invalid, Params, Result, Valid, number_in

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_NAME = re.compile(r"[A-Za-z\u00C0-\u024F\u3400-\u9FFF ·.'’-]+")
# What is not a name although it is written in letters: a question, a time word.
_QUESTION_WORDS = re.compile(
    r"[?？]|多少|怎么|如何|什么|哪里|哪儿|哪个|为什么|几天|多久|吗$|呢$"
    r"|^(how|what|where|when|why|who|which|can|could|do|does|is|are)\b",
    re.IGNORECASE,
)
_TIME_WORDS = re.compile(
    r"^(今天|明天|后天|昨天|前天|大后天|上午|下午|晚上|早上|中午|现在|刚才|马上|下周.?|本周.?|周.|星期.)$"
    r"|^(today|tomorrow|yesterday|tonight|now|morning|afternoon|evening|next week|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday)$",
    re.IGNORECASE,
)
# "I don't have one" / "I don't know": the citizen cannot answer this question.
_CANNOT = re.compile(
    r"^(i\s+)?(don'?t|do not|dont)\s+(have|know)\b.{0,30}$|^(not sure|no idea|dunno|"
    r"i have no\b.{0,20}|no (email|e-mail|postcode|post code|phone)( address)?)$"
    r"|^(我)?(不知道|不清楚|不记得|忘了|没有)(.{0,6})$",
    re.IGNORECASE,
)
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


_POLITE = re.compile(r"[\s,，]*\b(sorry|thanks|thank you|please)\b[\s.!,]*$|[，,]?(吧|了|啊|谢谢)$")


def is_skip(text: str) -> bool:
    plain = re.sub(r"[\s.!。！,，]+$", "", text.strip().casefold())
    plain = _POLITE.sub("", plain).strip()
    return plain in SKIP_WORDS or cannot_answer(plain)


def cannot_answer(text: str) -> bool:
    """'i dont have email', 'I don't know', '不知道', '没有邮箱'."""
    return bool(_CANNOT.match(re.sub(r"[\s.!。！,，]+$", "", text.strip().casefold())))


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
    if _QUESTION_WORDS.search(value):
        return Invalid("name_question")
    if _TIME_WORDS.match(value.rstrip(".。!！")):
        return Invalid("name_time", {"word": value})
    result = validate_text(value, {"min": params.get("min", 2), "max": params.get("max", 50)}, ctx)
    if isinstance(result, Valid) and not _NAME.fullmatch(value):
        return Invalid("name_characters")
    return result


def validate_email(text: str, params: Params, ctx: Context) -> Result:
    found = _EMAIL.search(text) if re.search(r"e-?mail|邮箱|\bis\b|是", text, re.I) else None
    value = found.group(0) if found else text.strip().strip("<>")
    if len(value) > 254 or "@" not in value:
        return Invalid("email_format")
    if not _EMAIL.fullmatch(value):
        return Invalid("email_format")
    return Valid(value.lower())


def extract_email(text: str, params: Params, ctx: Context) -> Valid | None:
    match = _EMAIL.search(text)
    return Valid(match.group(0).lower()) if match else None


def validate_postcode(text: str, params: Params, ctx: Context) -> Result:
    value = re.sub(r"\s", "", number_in(text, r"\d[\d\s]*\d", 3))
    if not value.isdigit() or len(value) != 6:
        return Invalid("postcode_format")
    if value[0] == "9":
        return Invalid("postcode_format")
    return Valid(value)


def validate_bank_account(text: str, params: Params, ctx: Context) -> Result:
    """A bank card or account number: 12 to 19 digits (spaces allowed)."""
    value = re.sub(r"[\s-]", "", number_in(text, r"\d[\d\s-]*\d", 6))
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


_STREET_EN = re.compile(
    r"\b(?:outside|near|at|on|opposite|in front of|by|behind|next to)\s+"
    r"((?:no\.?\s*)?\d+[a-z]?\s+(?:[A-Za-z']+\s+){0,3}?"
    r"(?:lane|road|street|st|rd|avenue|ave|way|drive|court|place|square|park)\b"
    r"|(?:the\s+)?(?:corner of\s+)?[A-Za-z']+(?:\s+[A-Za-z']+){0,3}?\s+"
    r"(?:lane|road|street|avenue|way|drive|court|square)\b)",
    re.IGNORECASE,
)
_STREET_ZH = re.compile(
    r"((?:(?![的在我你他她家门口旁边附近前后这那有个])[\u4e00-\u9fff\d]){1,10}?"
    r"(?:路|街|巷|大道|小区|广场|公园)(?:\d+号|[一二三四五六七八九十]+号)?)"
)


def extract_location(text: str, params: Params, ctx: Context) -> Valid | None:
    """A shared location, or a street named in the first message ('outside 45 Willow Lane',
    '湖滨路45号门口')."""
    shared = _shared_location(dict(ctx.metadata))
    if shared is not None:
        return Valid(shared)
    match = _STREET_EN.search(text) or _STREET_ZH.search(text)
    if match is None:
        return None
    found = validate_location(match.group(1), params, ctx)
    return found if isinstance(found, Valid) else None


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
