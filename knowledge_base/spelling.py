"""Typo repair of a query against the corpus's own words, before it is searched.

Older citizens type "pasport", "护找" (护照) and "医包卡" (医保卡). Dense models and BM25 both
lose such words: the misspelt token is unknown to BM25 and shifts the sentence vector. A word is
repaired only when it is unknown both to the corpus and to a general dictionary, and only into a
word of the corpus:

- English (and Latin runs inside Chinese text): a word of four to 24 letters that is neither in
  the corpus nor in pyspellchecker's English dictionary becomes the most frequent corpus word one
  edit away (two edits for words of eight letters or more; an edit inserts, deletes, replaces
  or swaps two neighbouring letters: Damerau-Levenshtein distance, computed by rapidfuzz over
  the corpus's words). "wechat" or "hukou" stay as they are: no corpus word is that close.
- Chinese: a run of two to four characters that is not a word of jieba's dictionary or of the
  corpus becomes the corpus word with the same pinyin (tones ignored) that differs from it in
  exactly one character: the homophone slip of a pinyin keyboard. "老伴" stays: jieba knows it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

_LATIN = re.compile(r"[A-Za-z]+")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_MIN_LEN = 4
_TWO_EDITS_FROM = 8
_MAX_LEN = 24  # longer is no word ("aaaa…"): its edits alone would be millions of strings


@lru_cache(maxsize=1)
def _english() -> Any:
    """The general English dictionary (pyspellchecker's word frequency list); loaded once."""
    from spellchecker import SpellChecker

    return SpellChecker(distance=1)


@lru_cache(maxsize=1)
def _jieba_words() -> dict[str, int]:
    from knowledge_base.text import _jieba

    jieba: Any = _jieba()
    return dict(jieba.dt.FREQ)


def _pinyin(text: str) -> str:
    from pypinyin import lazy_pinyin

    return " ".join(lazy_pinyin(text))


class Speller:
    """Built from the texts of a corpus (each with its language); ``correct`` repairs a query."""

    def __init__(self, texts: Iterable[tuple[str, str]]) -> None:
        english: Counter[str] = Counter()
        chinese: Counter[str] = Counter()
        from knowledge_base.text import _jieba

        jieba: Any = _jieba()
        for text, _lang in texts:
            english.update(w.lower() for w in _LATIN.findall(text) if len(w) >= 2)
            for run in _CJK_RUN.findall(text):
                chinese.update(w for w in jieba.lcut(run) if 2 <= len(w) <= 4)
        self._english = english
        self._chinese = chinese
        self._by_sound: dict[str, list[str]] = {}
        for word in chinese:
            self._by_sound.setdefault(_pinyin(word), []).append(word)
        self._words = sorted(english)

    def correct(self, text: str) -> str:
        """The query with its unknown words repaired (unchanged when nothing needs it)."""
        if self._english:
            text = _LATIN.sub(lambda m: self._english_word(m.group(0)), text)
        if self._chinese:
            text = _CJK_RUN.sub(lambda m: self._chinese_run(m.group(0)), text)
        return text

    def _english_word(self, word: str) -> str:
        lower = word.lower()
        if not _MIN_LEN <= len(lower) <= _MAX_LEN or lower in self._english or lower in _english():
            return word
        most = 2 if len(lower) >= _TWO_EDITS_FROM else 1
        found = process.extract(
            lower, self._words, scorer=DamerauLevenshtein.distance, score_cutoff=most, limit=None
        )
        if not found:
            return word
        nearest = min(distance for _, distance, _ in found)
        candidates = sorted(w for w, distance, _ in found if distance == nearest)
        return str(max(candidates, key=lambda c: self._english[c]))

    def _chinese_run(self, run: str) -> str:
        known = _jieba_words()
        from knowledge_base.text import _jieba

        jieba: Any = _jieba()
        # each position's segment: a piece may hold whole words, never cut one in two, and
        # never change a character of a word jieba's dictionary or the corpus knows
        segment_of: list[tuple[int, int]] = []
        protected: list[bool] = []
        at = 0
        for word in jieba.lcut(run):
            is_word = len(word) > 1 and (word in self._chinese or bool(known.get(word)))
            segment_of.extend([(at, at + len(word))] * len(word))
            protected.extend([is_word] * len(word))
            at += len(word)
        chars = list(run)
        taken = [False] * len(chars)
        for size in (4, 3, 2):
            for start in range(len(chars) - size + 1):
                end = start + size
                if any(taken[start:end]) or segment_of[start][0] < start:
                    continue
                if segment_of[end - 1][1] > end:
                    continue
                piece = "".join(chars[start:end])
                if piece in self._chinese or known.get(piece):
                    continue
                better = self._homophone(piece)
                if better is None:
                    continue
                changed = [
                    start + i for i, (a, b) in enumerate(zip(piece, better, strict=True)) if a != b
                ]
                if any(protected[i] for i in changed):
                    continue
                chars[start:end] = list(better)
                taken[start:end] = [True] * size
        return "".join(chars)

    def _homophone(self, piece: str) -> str | None:
        candidates = [
            word
            for word in self._by_sound.get(_pinyin(piece), ())
            if len(word) == len(piece)
            and sum(a != b for a, b in zip(word, piece, strict=True)) == 1
        ]
        if not candidates:
            return None
        return max(sorted(candidates), key=lambda w: self._chinese[w])
