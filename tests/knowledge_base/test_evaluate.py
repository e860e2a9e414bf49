from __future__ import annotations

import math

import pytest

from knowledge_base import LabelledQuery, SearchConfig, SearchConfigError
from knowledge_base.evaluate import auroc, average_precision, score
from knowledge_base.knowledge_base import Hit, SearchResult


def _result(ids: list[str], outcome: str, confidence: float, ms: float) -> SearchResult:
    hits = tuple(Hit(i, "en", i, 1.0, "title", i) for i in ids)
    return SearchResult(outcome, hits, "en", ms, confidence)  # type: ignore[arg-type]


def test_metrics_on_a_tiny_hand_made_set() -> None:
    queries = [
        LabelledQuery("q1", ("a",), "en"),
        LabelledQuery("q2", ("b",), "en"),
        LabelledQuery("q3", ("c", "d"), "en"),
        LabelledQuery("q4", (), "en"),
    ]
    results = [
        _result(["a", "b", "c"], "answer", 0.9, 1.0),  # rank 1, answered right
        _result(["a", "b", "c"], "clarify", 0.6, 2.0),  # rank 2, clarified -> wrong
        _result(["x", "c", "y", "d"], "answer", 0.7, 3.0),  # ranks 2 and 4, answered wrong
        _result(["a"], "decline", 0.2, 4.0),  # out of scope, declined -> right
    ]
    report = score(queries, results)
    assert report.in_scope == 3
    assert report.recall_at_1 == pytest.approx(1 / 3)
    assert report.recall_at_5 == pytest.approx(1.0)
    assert report.mrr_at_10 == pytest.approx((1 + 0.5 + 0.5) / 3)
    assert report.map == pytest.approx((1 + 0.5 + (0.5 + 0.5) / 2) / 3)
    assert report.decision_accuracy == pytest.approx(2 / 4)
    # two-way: a clarify counts as not answering, right for q2 since its top document ("a")
    # is wrong; three-way: q2's clarify is right because "b" is among its three buttons
    assert report.two_way_accuracy == pytest.approx(3 / 4)
    assert report.three_way_accuracy == pytest.approx(3 / 4)
    assert report.oos_auroc == pytest.approx(1.0)
    assert report.p50_ms == pytest.approx(2.5)
    assert report.clarify_rate == pytest.approx(0.25)


def test_average_precision_and_auroc() -> None:
    assert average_precision(["a", "x", "b"], {"a", "b"}) == pytest.approx((1 + 2 / 3) / 2)
    assert auroc([0.9, 0.4], [0.5, 0.1]) == pytest.approx(0.75)
    assert math.isnan(auroc([], [0.1]))


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("CIVIC_KB_MODEL_EN", "/no/such/model/dir"),
        ("CIVIC_KB_MODEL_ZH", ""),
        ("CIVIC_KB_BM25_WEIGHT_ZH", "lots"),
        ("CIVIC_KB_CANDIDATES", "-3"),
    ],
)
def test_config_errors_name_the_variable(variable: str, value: str) -> None:
    if not value:
        value = "nonsense-model"
    with pytest.raises(SearchConfigError, match=variable):
        SearchConfig.from_env({variable: value})


def test_config_from_env() -> None:
    config = SearchConfig.from_env({"CIVIC_KB_MODEL_EN": "use", "CIVIC_KB_BM25_WEIGHT_EN": "0.3"})
    assert config.en.models == ("use",)
    assert config.en.bm25_weight == 0.3
    assert SearchConfig.from_env({}) == SearchConfig()
