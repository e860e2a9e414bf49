"""Masks personal data (ID numbers, phone numbers) before anything is logged."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

_ID_NUMBER = re.compile(r"(?<![\dA-Za-z])(\d{6})(\d{8})(\d{3}[\dXx])(?![\dA-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})[\s-]?(\d{3,4})(\d{4})(?!\d)")


def mask_id_number(number: str) -> str:
    """110105194403120013 -> 110***********0013"""
    return number[:3] + "*" * (len(number) - 7) + number[-4:] if len(number) > 7 else "***"


def mask_phone(number: str) -> str:
    """13812345678 -> 138****5678"""
    digits = re.sub(r"\D", "", number)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:] if len(digits) > 7 else "***"


def mask_text(text: str) -> str:
    """Every ID number and phone number in a text, masked (the rest unchanged)."""
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), text)
    text = _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
    return _LANDLINE.sub(lambda m: f"{m.group(1)}-****{m.group(3)}", text)


def mask_value(value: Any) -> Any:
    """The same for nested answers (dicts, lists, strings)."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, Mapping):
        return {k: mask_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_value(v) for v in value]
    return value


class MaskingFilter(logging.Filter):
    """A logging filter that masks personal data in every record it sees."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def install(logger: logging.Logger | None = None) -> None:
    """Mask on every handler of the logger (the root logger by default); idempotent."""
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, MaskingFilter) for f in handler.filters):
            handler.addFilter(MaskingFilter())
