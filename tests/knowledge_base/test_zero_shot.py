"""Zero-shot decisions: a corpus built here, never seen by the decision model and with no
calibration of its own, gets real answer / decline decisions from the shipped zero-shot model
(features in units of the corpus's own near-miss scores, see knowledge_base/reference.py)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from knowledge_base import KnowledgeBase, SearchConfig
from knowledge_base.documents import document_from_faq

FAQS = {
    "library-card": (
        ["How do I get a library card?", "Can I borrow books from the city library?"],
        "Bring your ID card to any branch of the city library; the card is free.",
    ),
    "bulky-waste": (
        ["How do I get rid of an old sofa?", "Collection of bulky waste like furniture"],
        "Book a bulky waste pick-up on the city website; up to three items a year are free.",
    ),
    "parking-permit": (
        ["How do I apply for a resident parking permit?", "street parking permit for residents"],
        "Apply online with your vehicle registration and proof of address; 30 euros a year.",
    ),
    "swimming-pool": (
        ["When is the public swimming pool open?", "opening hours of the city pool"],
        "The municipal pool is open 7:00-21:00 on weekdays and 9:00-18:00 at weekends.",
    ),
    "noise-complaint": (
        ["How do I report noisy neighbours at night?", "complain about loud music"],
        "Call the city hotline or report it in the app; officers visit after 22:00.",
    ),
    "tree-pruning": (
        ["A tree on my street needs pruning", "branches are blocking the pavement"],
        "Report it in the app with a photo; the parks department prunes within 10 days.",
    ),
}


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    config = replace(
        SearchConfig(), calibration_path=tmp_path_factory.mktemp("none") / "absent.json"
    )
    documents = [document_from_faq(i, "en", q, a) for i, (q, a) in FAQS.items()]
    kb = KnowledgeBase.from_documents(documents, config)
    assert kb.decisions == {} and kb.zero_shot is not None  # nothing fitted on this corpus
    return kb


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("where can I get a card to borrow books", "library-card"),
        ("my neighbours play loud music every night", "noise-complaint"),
    ],
)
def test_in_scope_question_is_answered(city: KnowledgeBase, text: str, expected: str) -> None:
    result = city.search(text, "en")
    assert result.hits[0].guide_id == expected
    assert result.outcome == "answer", result.confidence


@pytest.mark.parametrize(
    "text", ["what's the weather in Paris tomorrow", "recommend a good pizza recipe"]
)
def test_unrelated_question_is_declined(city: KnowledgeBase, text: str) -> None:
    result = city.search(text, "en")
    assert result.outcome == "decline", result.confidence


def test_confidence_orders_in_and_out_of_scope(city: KnowledgeBase) -> None:
    inside = city.search("how can I get rid of an old armchair", "en")
    outside = city.search("who won the football match yesterday", "en")
    assert inside.confidence > outside.confidence


def test_without_a_zero_shot_file_nothing_is_answered(tmp_path: Path) -> None:
    config = replace(
        SearchConfig(),
        calibration_path=tmp_path / "absent.json",
        zero_shot_path=tmp_path / "absent-too.json",
    )
    documents = [document_from_faq(i, "en", q, a) for i, (q, a) in FAQS.items()]
    kb = KnowledgeBase.from_documents(documents, config)
    assert kb.search("How do I get a library card?", "en").outcome == "clarify"


def test_a_chinese_question_finds_an_english_only_document(city: KnowledgeBase) -> None:
    result = city.search("我想办一张图书馆借书证", "zh")
    assert result.hits[0].guide_id == "library-card"
    assert result.hits[0].lang == "en"  # the only version there is


def test_the_shipped_model_was_fitted_with_the_current_features() -> None:
    """The features' code changed since knowledge_base/zero_shot.json was written: fit it again
    (`python bench/kb_decide.py --write knowledge_base/zero_shot.json`, then the figures in the
    README's "Decisions that transfer to a new corpus")."""
    import json

    from knowledge_base.calibration import feature_code
    from knowledge_base.config import DEFAULT_ZERO_SHOT

    shipped = json.loads(DEFAULT_ZERO_SHOT.read_text("utf-8"))
    assert shipped["feature_code"] == feature_code()
