"""Official terms and their plain replacements, for simplified mode.

The renderer swaps these in simplified-mode replies; the readability check flags any that
are left in texts written for simplified mode.
"""

from __future__ import annotations

import re

JARGON: dict[str, dict[str, str]] = {
    "en": {
        "household registration": "home registration",
        "hukou": "home registration",
        "provident fund": "housing savings",
        "reimbursement": "money back",
        "reimburse": "pay back",
        "eligibility": "who can get it",
        "eligible": "able to get it",
        "notarised": "officially stamped",
        "notarized": "officially stamped",
        "certificate of": "paper for",
        "applicant": "you",
        "submit": "hand in",
        "documentation": "papers",
        "verification": "check",
        "authentication": "check",
        "contributions": "payments",
        "processing time": "how long it takes",
        "in accordance with": "under",
        "prior to": "before",
        "commence": "start",
        "terminate": "end",
    },
    "zh": {
        "户籍": "户口",
        "申领": "办理",
        "受理": "接收申请",
        "核验": "检查",
        "缴纳": "交",
        "办结": "办好",
        "申请人": "您",
        "须": "要",
        "凭": "带上",
    },
}

_PATTERNS = {
    lang: re.compile("|".join(re.escape(term) for term in sorted(terms, key=len, reverse=True)),
                     re.IGNORECASE)
    for lang, terms in JARGON.items()
}  # fmt: skip


def plain(text: str, lang: str) -> str:
    """Replace official terms with plain ones (case-insensitive for English)."""
    terms = JARGON.get(lang)
    if not terms:
        return text
    lowered = {k.lower(): v for k, v in terms.items()}

    def swap(match: re.Match[str]) -> str:
        found = match.group(0)
        replacement = lowered.get(found.lower(), found)
        return replacement[:1].upper() + replacement[1:] if found[:1].isupper() else replacement

    return _PATTERNS[lang].sub(swap, text)


def jargon_in(text: str, lang: str) -> list[str]:
    """The official terms a text still uses."""
    pattern = _PATTERNS.get(lang)
    return sorted({m.group(0).lower() for m in pattern.finditer(text)}) if pattern else []
