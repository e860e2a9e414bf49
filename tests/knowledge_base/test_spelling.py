"""Typo repair of queries against a corpus's own words (knowledge_base/spelling.py)."""

from __future__ import annotations

import pytest

from knowledge_base.spelling import Speller

CORPUS = [
    ("How to apply for a passport. Bring your household register and a photo.", "en"),
    ("Report a broken streetlight: tell us where the streetlight is.", "en"),
    ("Register a birth within 30 days; the hospital gives a birth certificate.", "en"),
    ("护照怎么办理：带上户口簿和身份证，到出入境窗口。", "zh"),
    ("医保卡丢了可以补办，社保卡同样。搬走以后要办理迁出。", "zh"),
    ("狗狗要到派出所登记。老年卡怎么办？去社区服务中心。", "zh"),
]


@pytest.fixture(scope="module")
def speller() -> Speller:
    return Speller(CORPUS)


@pytest.mark.parametrize(
    ("typed", "repaired"),
    [
        ("how long does a pasport take", "how long does a passport take"),
        ("strettlight broken", "streetlight broken"),
        ("how do i regester a birth", "how do i register a birth"),
        ("护找怎么办理", "护照怎么办理"),
        ("医包卡丢了怎么补", "医保卡丢了怎么补"),
        ("身份正丢了", "身份证丢了"),
        ("社报卡怎么办", "社保卡怎么办"),
        ("狗狗要登计吗", "狗狗要登记吗"),
        ("老年卡怎么半", "老年卡怎么办"),
        ("我想renew护找", "我想renew护照"),
    ],
)
def test_a_slip_becomes_the_corpus_word(speller: Speller, typed: str, repaired: str) -> None:
    assert speller.correct(typed) == repaired


@pytest.mark.parametrize(
    "text",
    [
        "my mother needs help at home",  # real English words stay, even when not in the corpus
        "wechat pay for my hukou",  # unknown to the dictionary, but no corpus word is close
        "我老伴走了，要办什么手续",  # 伴走 sounds like the corpus's 搬走, but 老伴 is a word
        "垃圾分类怎么分",  # 圾分 sounds like 积分: never cut a dictionary word in two
        "护照要多少钱",
        "",
    ],
)
def test_real_words_are_left_alone(speller: Speller, text: str) -> None:
    assert speller.correct(text) == text


def test_an_empty_corpus_changes_nothing() -> None:
    assert Speller([]).correct("pasport 护找") == "pasport 护找"


def test_a_run_of_letters_no_word_is_that_long_is_left_as_it_is(speller: Speller) -> None:
    """A 4,000-letter "word" (a citizen leaning on a key) is no misspelling: repairing it would
    mean generating its millions of edits, and the question would never be answered."""
    leaning = "a" * 4000
    assert speller.correct(leaning) == leaning
    assert speller.correct("passsports" + "s" * 20) == "passsports" + "s" * 20


def _reference(corpus: list[tuple[str, str]], word: str) -> str:
    """The repair by generating every string one (then two) edits away with pyspellchecker and
    keeping the corpus words among them: what Speller did before it searched the corpus's words
    by distance (it took up to 0.6 s for a long word; the search takes under a millisecond)."""
    import re
    from collections import Counter

    from spellchecker import SpellChecker

    counts = Counter(
        w.lower() for text, _ in corpus for w in re.findall(r"[A-Za-z]+", text) if len(w) >= 2
    )
    checker = SpellChecker(language=None, distance=1)
    checker.word_frequency.load_json(dict(counts))
    found = checker.known(checker.edit_distance_1(word))
    if not found and len(word) >= 8:
        found = checker.known(checker.edit_distance_2(word))
    return max(sorted(found), key=lambda c: counts[c]) if found else word


@pytest.mark.parametrize(
    "typed",
    [
        "pasport",  # one deletion
        "streetlgiht",  # two neighbouring letters swapped
        "certficiate",  # a deletion and a swap: two edits in a long word
        "housholdd",  # two edits
        "regster",  # one edit in a short word
        "brokne",
        "hospitl",
        "certifcat",  # two edits, nine letters
        "zzzzzzzzzz",  # nothing close
        "registerd",
    ],
)
def test_the_repair_is_the_nearest_corpus_word_by_letter_edits(
    speller: Speller, typed: str
) -> None:
    assert speller.correct(typed) == _reference(CORPUS, typed)
    assert typed in ("zzzzzzzzzz",) or speller.correct(typed) != typed
