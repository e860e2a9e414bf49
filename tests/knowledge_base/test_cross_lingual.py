"""Guides written in one language only reach citizens who ask in the other (fusion.py): their
scores from a multilingual model are mapped onto the query language's scale, anchored on the
guides written in both; signals that cannot score them (BM25, a model of one language) do not
count against them, and their decision features are measured against the corpus's cross-lingual
near misses. A corpus whose guides are all in both languages ranks as before."""

from __future__ import annotations

import zlib

import numpy as np
import pytest

from knowledge_base import LanguageSettings, SearchConfig
from knowledge_base.documents import Document, document_from_faq
from knowledge_base.embedders import Matrix
from knowledge_base.fusion import rank
from knowledge_base.index import SearchIndex
from knowledge_base.text import tokenize_en

DIM = 64
NOISE = 8
WORDS = {"护照": "passport", "借书证": "library", "狗": "dog", "个税": "tax", "公交卡": "bus",
         "船": "boat", "码头": "pier", "许可": "permit", "登记": "register"}  # fmt: skip


class Bilingual:
    """A bag of (English) words, a share of the vector that says the language (a question is
    closer to any text in its own language than to the same words in the other, as with real
    multilingual models) and a little of each text's own (its scores are not all alike)."""

    identity = "test:bilingual-bag"
    multilingual = True

    def _embed(self, texts: list[str]) -> Matrix:
        out = np.zeros((len(texts), DIM + 2 + NOISE), np.float32)
        for row, text in enumerate(texts):
            zh = any("\u4e00" <= ch <= "\u9fff" for ch in text)
            words = [e for z, e in WORDS.items() if z in text] if zh else tokenize_en(text)
            for word in words:
                out[row, zlib.crc32(word.encode()) % DIM] += 1.0
            norm = float(np.linalg.norm(out[row, :DIM])) or 1.0
            out[row, :DIM] /= norm
            out[row, DIM + int(zh)] = 1.2
            own = np.random.default_rng(zlib.crc32(text.encode())).normal(0, 0.15, NOISE)
            out[row, DIM + 2 :] = own
        return out / np.linalg.norm(out, axis=1, keepdims=True)

    def embed_queries(self, texts: list[str]) -> Matrix:
        return self._embed(texts)

    def embed_passages(self, texts: list[str]) -> Matrix:
        return self._embed(texts)


SETTINGS = LanguageSettings(("bilingual",), 0.2, (1.0,))
CONFIG = SearchConfig(en=SETTINGS, zh=SETTINGS)
BOTH = [
    ("passport", "How do I get a passport?", "怎么办护照？"),
    ("library", "How do I get a library card?", "借书证怎么办？"),
    ("dog", "How do I register my dog?", "狗怎么登记？"),
    ("tax", "How do I file my income tax return?", "个税怎么申报？"),
    ("bus", "Where do I buy a bus card?", "公交卡在哪里买？"),
]


def _index(extra: list[Document]) -> SearchIndex:
    docs = [document_from_faq(i, "en", [en], en) for i, en, _ in BOTH]
    docs += [document_from_faq(i, "zh", [zh], zh) for i, _, zh in BOTH]
    return SearchIndex.build(docs + extra, CONFIG, lambda spec: Bilingual())


def _top(index: SearchIndex, query: str, lang: str) -> str:
    return index.doc_ids[
        int(rank(index, query, lang, SETTINGS, {"bilingual": Bilingual()}).order[0])
    ]


def test_a_guide_in_english_only_answers_a_question_in_chinese() -> None:
    boat = "Mooring permit for a boat at the pier"
    index = _index([document_from_faq("boat", "en", [boat], boat)])
    assert index.lacks["zh"].tolist() == [i == "boat" for i in index.doc_ids]
    assert _top(index, "船停在码头要什么许可？", "zh") == "boat"
    assert _top(index, "怎么办护照？", "zh") == "passport"  # the own language still wins its own
    # scored like a guide in the query's language, the English-only guide loses
    index.lacks = {lang: np.zeros_like(v) for lang, v in index.lacks.items()}
    assert _top(index, "船停在码头要什么许可？", "zh") != "boat"


def test_a_guide_in_chinese_only_answers_a_question_in_english() -> None:
    index = _index([document_from_faq("boat", "zh", ["船停码头许可"], "船停码头许可")])
    assert _top(index, "Do I need a permit to keep my boat at the pier?", "en") == "boat"


def test_guides_in_both_languages_rank_as_before() -> None:
    index = _index([])
    assert not index.lacks["zh"].any() and not index.lacks["en"].any()
    ranking = rank(index, "狗怎么登记？", "zh", SETTINGS, {"bilingual": Bilingual()})
    assert index.doc_ids[int(ranking.order[0])] == "dog"


def test_a_guide_in_the_other_language_is_judged_against_cross_lingual_near_misses() -> None:
    """Its cosines are measured against the corpus's cross-lingual near misses (a question in
    one language against the other guides' text in the other), not the same-language ones
    every cross-lingual cosine falls short of; BM25, which cannot score it, is left out."""
    boat = "Mooring permit for a boat at the pier"
    index = _index([document_from_faq("boat", "en", [boat], boat)])
    ref = index.reference
    across, same = ref["zh>en:cos:bilingual"], ref["zh:cos:bilingual"]
    assert across.mean < same.mean and "en>zh:proto:bilingual" in ref
    question = "船停在码头要什么许可？"
    features = rank(index, question, "zh", SETTINGS, {"bilingual": Bilingual()}).features
    assert "bm25_top" not in features and "coverage" in features
    vector = Bilingual().embed_queries([question])[0]
    boat_chunks = index.chunk_doc == index.doc_ids.index("boat")
    raw = float((index.dense["bilingual"].vectors[boat_chunks] @ vector).max())
    assert features["dense_top"] == pytest.approx(across.z(raw), abs=1e-4)
    # a guide in the query's language keeps the same-language units and BM25
    own = rank(index, "怎么办护照？", "zh", SETTINGS, {"bilingual": Bilingual()}).features
    assert "bm25_top" in own
    # a corpus in one language has no cross-lingual reference
    alone = SearchIndex.build(
        [document_from_faq(i, "en", [en], en) for i, en, _ in BOTH], CONFIG, lambda s: Bilingual()
    )
    assert not [key for key in alone.reference if ">" in key]


def test_a_feature_that_cannot_be_measured_counts_as_its_mean() -> None:
    from knowledge_base.decision import DecisionModel, Observation, fit_decision

    model = DecisionModel(
        features=("a", "b"), mean=(1.0, 2.0), scale=(1.0, 4.0), coef=(0.5, -3.0),
        intercept=0.1, answer_threshold=0.5, clarify_threshold=0.5, settings="any",
    )  # fmt: skip
    assert model.confidence({"a": 3.0}) == model.confidence({"a": 3.0, "b": 2.0})
    rng = np.random.default_rng(0)
    observations = []
    for i, x in enumerate(rng.normal(size=40)):
        features = {"a": float(x), **({} if i % 5 == 0 else {"b": float(x) + rng.normal()})}
        observations.append(Observation(features, bool(x > 0), True, True))
    observations[0] = Observation({"b": 1.0}, True, True, True)  # the first lacks "a"
    fitted = fit_decision(observations, "any", clarify=False)
    assert fitted.features == ("a", "b") and all(np.isfinite(fitted.mean))
