"""Language detection for citizen messages (English and Simplified Chinese)."""

from __future__ import annotations

import re

SUPPORTED = ("en", "zh")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def detect(text: str) -> str | None:
    """Return "zh" or "en" when the text says so clearly, None when it does not.

    Digits, emoji, reference numbers and one-word replies ("ok") do not change the language
    the conversation already has.
    """
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN_WORD.findall(text))
    if cjk >= 2 and cjk > latin:
        return "zh"
    if latin >= 2 and latin >= cjk:
        return "en"
    if cjk == 1 and latin == 0:
        return "zh"
    return None


def normalise(lang: str | None) -> str | None:
    """Map user-supplied language tags (`zh-CN`, `EN`) to a supported code or None."""
    if not lang:
        return None
    code = lang.strip().lower().replace("_", "-").split("-")[0]
    return code if code in SUPPORTED else None


_KANA = re.compile(r"[\u3040-\u30ff]")
# Hangul, Arabic, Cyrillic, Greek, Hebrew, Thai, Devanagari
_OTHER_SCRIPT = re.compile(
    r"[\uac00-\ud7af\u0600-\u06ff\u0400-\u04ff\u0370-\u03ff\u0590-\u05ff"
    r"\u0e00-\u0e7f\u0900-\u097f]"
)


def other_language(text: str) -> bool:
    """Written in a language the assistant does not speak (Japanese, Arabic, Korean, ...):
    Japanese by its kana (Chinese never uses them), the others by most of their letters."""
    if len(_KANA.findall(text)) >= 2:
        return True
    other = len(_OTHER_SCRIPT.findall(text))
    letters = sum(c.isalpha() for c in text)
    return other >= 2 and other * 2 > letters
