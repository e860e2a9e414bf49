"""Document aggregation (best chunk, k nearest questions, prototype) and decision features, on
a tiny index with a deterministic bag-of-words embedder (no model download, exact numbers)."""

from __future__ import annotations

import numpy as np
import pytest
from kb_testdata import BagOfWords

from knowledge_base import LanguageSettings, SearchConfig, SearchConfigError
from knowledge_base.dense import DenseIndex
from knowledge_base.documents import document_from_faq
from knowledge_base.fusion import _best_chunks, _topk_mean, rank
from knowledge_base.index import SearchIndex


def _settings(**kwargs: float) -> LanguageSettings:
    return LanguageSettings(("bow",), 0.0, (1.0,), **kwargs)  # type: ignore[arg-type]


def _index() -> SearchIndex:
    documents = [
        # many paraphrases of one need: a cluster of questions
        document_from_faq(
            "card",
            "en",
            [
                "my card has not arrived",
                "card still not arrived after a week",
                "when will my new card arrive",
                "card delivery is late",
            ],
            "",
        ),
        # one question that shares more words with the test query than any single card
        # one, among others that do not
        document_from_faq(
            "pin",
            "en",
            ["new card pin week arrived", "how do I change my pin", "my pin is blocked"],
            "Reset it in the app.",
        ),
        document_from_faq("fees", "en", ["what are the fees"], "No fees."),
    ]
    config = SearchConfig(en=_settings(), zh=_settings())
    return SearchIndex.build(documents, config, lambda spec: BagOfWords())


def test_prototype_is_the_unit_mean_of_question_vectors() -> None:
    index = _index()
    vectors = index.dense["bow"].vectors
    card = [i for i, c in enumerate(index.chunks) if c.doc_id == "card"]
    mean = vectors[card].mean(axis=0)
    assert np.allclose(index.prototypes["bow"][0], mean / np.linalg.norm(mean), atol=1e-6)
    assert np.allclose(np.linalg.norm(index.prototypes["bow"], axis=1), 1.0, atol=1e-5)


def test_topk_mean_uses_question_like_chunks_only() -> None:
    index = _index()
    scores = np.arange(len(index.chunks), dtype=np.float32)
    top2 = _topk_mean(index, scores, 2)
    # card: questions 0..3 -> best two 2, 3; pin: questions 4..6 -> 5, 6 (not its answer
    # passage 7); fees: only its question 8 (fewer than k).
    assert [c.section for c in index.chunks[4:9]] == ["question"] * 3 + ["answer", "question"]
    assert top2.tolist() == [2.5, 5.5, 8.0]


def test_best_chunks_match_a_plain_loop() -> None:
    index = _index()
    rng = np.random.default_rng(0)
    scores = rng.random(len(index.chunks)).astype(np.float32)
    expected = [
        int(start + np.argmax(scores[start:end]))
        for start, end in zip(index.doc_starts, index.doc_ends, strict=True)
    ]
    assert _best_chunks(index, scores).tolist() == expected


def test_neighbour_votes_outweigh_one_lucky_match() -> None:
    index = _index()
    embedders = {"bow": BagOfWords()}
    query = "new card not arrived after a week"
    best_only = rank(index, query, "en", _settings(), embedders)  # type: ignore[dict-item]
    voted = rank(
        index,
        query,
        "en",
        _settings(knn_weight=1.0, knn=3, proto_weight=0.5),
        embedders,  # type: ignore[dict-item]
    )
    assert index.doc_ids[int(voted.order[0])] == "card"
    assert voted.scores[0] - voted.scores[1] > best_only.scores[0] - best_only.scores[1]
    for name in ("dense_top", "proto_top", "proto_margin", "knn_share", "bm25_top"):
        assert name in voted.features
    assert 0.0 <= voted.features["knn_share"] <= 1.0


def test_dense_scores_are_exact_inner_products() -> None:
    rng = np.random.default_rng(1)
    vectors = rng.standard_normal((7, 5)).astype(np.float32)
    query = rng.standard_normal(5).astype(np.float32)
    assert np.allclose(DenseIndex(vectors).scores(query), vectors @ query, atol=1e-6)
    assert DenseIndex(np.zeros((0, 5), np.float32)).scores(query).shape == (0,)


def test_aggregation_settings_are_validated_and_kept_by_env() -> None:
    with pytest.raises(SearchConfigError):
        LanguageSettings(("minilm",), 0.1, (1.0,), knn=0)
    with pytest.raises(SearchConfigError):
        LanguageSettings(("minilm",), 0.1, (1.0,), proto_weight=-1.0)
    config = SearchConfig.from_env({"CIVIC_KB_MODEL_EN": "minilm", "CIVIC_KB_BM25_WEIGHT_ZH": "1"})
    assert config.en.knn_weight == SearchConfig().en.knn_weight > 0
    assert config.zh.proto_weight == SearchConfig().zh.proto_weight > 0


def test_near_miss_reference_excludes_the_probe_document() -> None:
    index = _index()
    reference = index.reference
    assert set(reference) == {"en:bm25", "en:cos:bow", "en:proto:bow"}
    # by hand: every question probes every *other* document's best chunk
    tops = []
    for probe, chunk in enumerate(index.chunks):
        if chunk.section != "question":
            continue
        scores = index.dense["bow"].vectors @ index.dense["bow"].vectors[probe]
        own = index.chunk_doc[probe]
        tops.append(max(float(scores[i]) for i in range(len(scores)) if index.chunk_doc[i] != own))
    assert reference["en:cos:bow"].mean == pytest.approx(np.mean(tops), abs=1e-5)
    assert reference["en:cos:bow"].std >= 0.02
    # a query is expressed in those units
    ranking = rank(
        index, "card still not arrived after a week", "en", _settings(), {"bow": BagOfWords()}
    )  # type: ignore[dict-item]
    cos_top = float(
        np.max(
            index.dense["bow"].vectors
            @ BagOfWords().embed_queries(["card still not arrived after a week"])[0]
        )
    )
    assert ranking.features["dense_top"] == pytest.approx(
        reference["en:cos:bow"].z(cos_top), abs=1e-4
    )
