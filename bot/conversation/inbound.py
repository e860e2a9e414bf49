"""Cleaning and checking citizen text before anything else sees it."""

from __future__ import annotations

import re
import unicodedata

from bot.errors import InvalidMessage

# C0/C1 control characters except tab and newline; zero-width and direction marks are kept
# (they are legitimate in right-to-left and CJK text) but never count as content.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\s]")


def clean(text: str, max_chars: int) -> str:
    """Normalise a citizen message; raise InvalidMessage when it cannot be processed."""
    if len(text) > max_chars:
        raise InvalidMessage(f"message longer than {max_chars} characters", status=413)
    cleaned = unicodedata.normalize("NFC", _CONTROL.sub("", text)).strip()
    if not _INVISIBLE.sub("", cleaned):
        raise InvalidMessage("empty message", status=422)
    return cleaned
