from __future__ import annotations

import numpy as np
import pytest
from kb_testdata import DEV

from knowledge_base import KnowledgeBase, read_queries
from knowledge_base.dataset import split_queries
from knowledge_base.evaluate import evaluate


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("how do I renew my passport", "en", "passport"),
        ("how long does a pasport take", "en", "passport"),
        ("I lost my ID card what do I do", "en", "id-card-lost"),
        ("streetlight broken on my road", "en", "report-streetlight"),
        ("护照怎么办理", "zh", "passport"),
        ("身份正丢了怎么补办", "zh", "id-card-lost"),
        ("怎么申请失业金", "zh", "unemployment-benefit"),
    ],
)
def test_finds_the_right_guide(kb: KnowledgeBase, text: str, lang: str, expected: str) -> None:
    result = kb.search(text, lang)
    assert result.hits[0].guide_id == expected
    assert result.hits[0].lang == lang
    assert result.outcome in ("answer", "clarify")


def test_language_is_detected(kb: KnowledgeBase) -> None:
    assert kb.search("护照").lang == "zh"
    assert kb.search("passport").lang == "en"


@pytest.mark.parametrize(
    "text", ["what's the weather tomorrow", "asdf qwerty zxcv", "明天天气怎么样"]
)
def test_declines_nonsense(kb: KnowledgeBase, text: str) -> None:
    result = kb.search(text)
    assert result.outcome == "decline"
    assert result.candidates == ()


def test_guide_lookup_falls_back_to_other_language(kb: KnowledgeBase) -> None:
    guide = kb.guide("passport", "zh")
    assert guide is not None and guide.lang == "zh"
    assert kb.guide("no-such-guide", "en") is None
    assert {g.id for g in kb.guides("en")} == {g.id for g in kb.guides("zh")}


def test_quality_floor_on_dev_set(kb: KnowledgeBase) -> None:
    """Far below the measured figures (R@1 ~.98, zero-shot two-way decisions ~.93): fails only
    when broken. The decisions are the shipped zero-shot model's (no calibration file): nothing
    was fitted on these guides or queries. A new guide needs no dev queries to pass."""
    for lang in ("en", "zh"):
        queries = read_queries(DEV / f"queries-{lang}.jsonl")
        _, held_out = split_queries(queries)
        report = evaluate(kb, held_out)
        assert report.recall_at_1 >= 0.85, (lang, report)
        assert report.recall_at_5 >= 0.93, (lang, report)
        assert report.two_way_accuracy >= 0.80, (lang, report)


def test_query_vector_matches_the_passage_vector() -> None:
    """Queries run through a faster path (single forward, maybe bfloat16) than passages."""
    from knowledge_base.embedders import make_embedder

    embedder = make_embedder("minilm")
    assert embedder is not None
    text = "how long does a passport take"
    query = embedder.embed_queries([text])[0]
    passage = embedder.embed_passages([text, "something else entirely"])[0]
    assert float(query @ passage) > 0.999


def test_a_served_model_keeps_one_copy_of_its_weights() -> None:
    """Once queries run through a bfloat16 copy, the float32 model is let go; passages (a
    reload with changed guides) load it again and get exactly the vectors they had."""
    from knowledge_base.embedders import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder()
    texts = ["how long does a passport take", "where do I register a birth"]
    before = embedder.embed_passages(texts)
    embedder.embed_queries([texts[0]])
    if embedder._query_model is embedder._model:
        pytest.skip("this CPU runs float32 queries as fast: one model serves both")
    assert embedder._model is None
    assert np.array_equal(embedder.embed_passages(texts), before)
    assert embedder._model is not None


@pytest.mark.parametrize(
    ("text", "lang", "section"),
    [
        ("is a Tibetan Mastiff allowed, it is taller than 60 cm", "en", "who"),
        (
            "owner's ID card and proof of address, photos of the dog front and side",
            "en",
            "documents",
        ),
        ("藏獒可以养吗，肩高超过60厘米", "zh", "who"),
        ("狗的正面和侧面照片各一张", "zh", "documents"),
    ],
)
def test_a_detail_inside_a_long_section_is_found_by_its_passage(
    kb: KnowledgeBase, text: str, lang: str, section: str
) -> None:
    """Words that occur only in a section body (not the title, aliases or questions): the
    guide is found through that passage, and the hit carries it."""
    hit = kb.search(text, lang).hits[0]
    assert (hit.guide_id, hit.section) == ("dog-registration", section)
