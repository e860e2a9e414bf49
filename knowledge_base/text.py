"""Text handling for search: language detection, BM25 tokenisation (jieba for Chinese, a
lower-casing light-stemming tokenizer for English) and splitting long answers into passages."""

from __future__ import annotations

import logging
import re
from functools import lru_cache

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[A-Za-z0-9]+")

EN_STOPWORDS = frozenset(
    """a an the and or but if of to in on at by for with from as is are was were be been being
    do does did i me my we our you your he she it its they them their this that these those
    there here what which who whom how can could would should will shall may might must am
    have has had not no so than too very just about into over also any some please hi hello
    get got want need like know tell""".split()
)
ZH_STOPWORDS = frozenset(
    "的 了 吗 呢 啊 吧 呀 么 嘛 是 在 和 与 及 或 我 你 他 她 它 我们 你们 请问 请 一下 那 这 "
    "就 都 也 还 要 想 能 会 可以 怎么 怎样 如何 什么 哪里 哪儿 多少 有 没有 个 把 被 给 对 "
    "？ ?".split()
)


def detect_lang(text: str) -> str:
    """'zh' when the text contains any CJK ideograph, otherwise 'en'."""
    return "zh" if _CJK.search(text) else "en"


def _stem(word: str) -> str:
    """A very light English stemmer: plural and common verb endings only."""
    if len(word) <= 3 or word.isdigit():
        return word
    for suffix, repl, min_len in (
        ("ies", "y", 5),
        ("sses", "ss", 5),
        ("ing", "", 6),
        ("ed", "", 5),
        ("es", "e", 5),
        ("s", "", 4),
    ):
        if word.endswith(suffix) and len(word) >= min_len:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            return word[: len(word) - len(suffix)] + repl
    return word


def tokenize_en(text: str) -> list[str]:
    """Lower-case word tokens, stop words dropped, lightly stemmed."""
    words = _WORD.findall(text.lower().replace("’", "'"))
    out = []
    for word in words:
        word = word.split("'")[0]
        if word and word not in EN_STOPWORDS:
            out.append(_stem(word))
    return out


@lru_cache(maxsize=1)
def _jieba() -> object:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def tokenize_zh(text: str) -> list[str]:
    """jieba words plus single characters of multi-character words (robust to 错别字);
    Latin runs inside Chinese text go through the English tokenizer."""
    jieba = _jieba()
    out: list[str] = []
    for run in _CJK_RUN.findall(text):
        if not _CJK.match(run):
            out.extend(tokenize_en(run))
            continue
        for word in jieba.lcut(run):  # type: ignore[attr-defined]
            if word in ZH_STOPWORDS:
                continue
            out.append(word)
            if len(word) > 1:
                out.extend(ch for ch in word if ch not in ZH_STOPWORDS)
    return out


def tokenize(text: str, lang: str) -> list[str]:
    """BM25 tokens for text in the given language."""
    return tokenize_zh(text) if lang == "zh" else tokenize_en(text)


def split_passages(text: str, max_chars: int = 600) -> list[str]:
    """Split a long answer into passages of about max_chars at paragraph/sentence bounds."""
    text = text.strip()
    if not text:
        return []
    pieces: list[str] = []
    for para in re.split(r"\n\s*\n", text):
        para = " ".join(para.split())
        while len(para) > max_chars:
            cut = max(para.rfind(". ", 0, max_chars), para.rfind("。", 0, max_chars))
            cut = cut + 1 if cut > max_chars // 3 else max_chars
            pieces.append(para[:cut].strip())
            para = para[cut:].strip()
        if para:
            pieces.append(para)
    passages: list[str] = []
    for piece in pieces:
        if passages and len(passages[-1]) + len(piece) + 1 <= max_chars:
            passages[-1] = passages[-1] + "\n" + piece
        else:
            passages.append(piece)
    return passages
