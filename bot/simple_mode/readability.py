"""Readability measures for simplified mode: Flesch reading ease (English) and sentence
length (Chinese). Used by the content checks and the console's warning to agents."""

from __future__ import annotations

import re

_WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")
_SENTENCE_EN = re.compile(r"[.!?]+(?:\s|$)|\n+")
_SENTENCE_ZH = re.compile(r"[。！？；\n]+")
_VOWEL_GROUPS = re.compile(r"[aeiouy]+")

MIN_FLESCH_EN = 70.0
MIN_WORDS_FOR_FLESCH = 8
MAX_ZH_SENTENCE = 30


def syllables(word: str) -> int:
    """Vowel groups, minus a silent final e; at least one."""
    w = word.lower()
    count = len(_VOWEL_GROUPS.findall(w))
    if w.endswith("e") and not w.endswith(("le", "ee", "ye")) and count > 1:
        count -= 1
    return max(1, count)


def flesch(text: str) -> float:
    """Flesch reading ease of an English text (higher is easier; 70+ is plain English)."""
    words = _WORD.findall(text)
    if not words:
        return 100.0
    sentences = max(1, len([s for s in _SENTENCE_EN.split(text) if _WORD.search(s)]))
    total = sum(syllables(w) for w in words)
    return 206.835 - 1.015 * (len(words) / sentences) - 84.6 * (total / len(words))


def longest_zh_sentence(text: str) -> int:
    parts = [re.sub(r"\s", "", p) for p in _SENTENCE_ZH.split(text)]
    return max((len(p) for p in parts), default=0)


# Why a reply is too long or too hard, in English: the console's catalogues hold the same
# under `warning.<key>` with the same placeholders (and in Chinese).
WARNINGS = {
    "too_long_words": "Too long for this citizen: {size} words, at most {limit}. "
    "Split it into shorter messages.",
    "too_long_chars": "Too long for this citizen: {size} characters, at most {limit}. "
    "Split it into shorter messages.",
    "too_hard_zh": "Too hard for this citizen: a sentence is longer than {max} characters. "
    "Use shorter sentences and common words.",
    "too_hard": "Too hard for this citizen: use shorter sentences and common words.",
}


def reply_problem(text: str, lang: str) -> tuple[str, dict[str, int]] | None:
    """Why an agent's reply is too long or too hard for a citizen in simplified mode, as a key
    of WARNINGS and its values, or None."""
    from bot.simple_mode.rules import limit, size

    if size(text, lang) > limit(lang):
        key = "too_long_chars" if lang == "zh" else "too_long_words"
        return key, {"size": size(text, lang), "limit": limit(lang)}
    if too_complex(text, lang) is None:
        return None
    return ("too_hard_zh", {"max": MAX_ZH_SENTENCE}) if lang == "zh" else ("too_hard", {})


def reply_warning(text: str, lang: str) -> str | None:
    """Why an agent's reply is too long or too hard for a citizen in simplified mode, or None:
    in plain words for the agent, with what to do about it (the measure stays in the checks)."""
    problem = reply_problem(text, lang)
    if problem is None:
        return None
    key, values = problem
    return WARNINGS[key].format(**values)


def too_complex(text: str, lang: str) -> str | None:
    """Why a text is too hard for simplified mode, or None."""
    if lang == "zh":
        longest = longest_zh_sentence(text)
        if longest > MAX_ZH_SENTENCE:
            return f"a sentence of {longest} characters (max {MAX_ZH_SENTENCE})"
        return None
    if len(_WORD.findall(text)) < MIN_WORDS_FOR_FLESCH:
        return None  # a label or a two-word reply: the formula means nothing there
    score = flesch(text)
    return None if score >= MIN_FLESCH_EN else f"Flesch reading ease {score:.0f} (min 70)"
